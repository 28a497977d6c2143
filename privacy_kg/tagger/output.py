"""Writing a draft into a corpus folder: clauses.yaml in the corpus format (every clause `proposed:
true` with its `confidence`; the confidence and evidence of each tag as YAML comments), the policy
text, and a metadata skeleton when the folder has none.

Everything is rendered in memory and loaded back through the corpus checker first; only a draft that
loads is written, each file atomically."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from privacy_kg.corpus import CLAUSES_FILE, METADATA_FILE, SLUG, TEXT_FILE, CompanyLoader
from privacy_kg.export import write_atomically
from privacy_kg.problems import InputError, Problem
from privacy_kg.project import Project
from privacy_kg.tagger.draft import Draft, DraftClause, Tag

HEADER = """\
# Draft written by `privacy-kg tag`: every clause is proposed (machine-generated, pk:isProposed true).
# Review each one: accept it (delete `proposed` and `confidence`), correct it, or delete it.
# The comments give each tag's confidence (0-1) and what it rests on.
"""


def _scalar(text: str) -> str:
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return re.sub(r"\n(\.\.\.\n)?$", "", dumped)


def _comment(tag: Tag, label: str | None = None) -> str:
    if label:  # the practice: the category's probability, and what named each class
        return f"{label} {tag.values[0].confidence:.2f}: " + ", ".join(f"{v.name} {v.evidence}" for v in tag.values)
    return "; ".join(f"{v.name} {v.confidence:.2f} ({v.evidence})" for v in tag.values)


def _tag_line(tag: Tag, label: str | None = None) -> str:
    names = [v.name for v in tag.values]
    value = names[0] if len(names) == 1 else "[" + ", ".join(names) + "]"  # keys taking one value get one (draft.py)
    return f"{tag.key}: {value}  # {_comment(tag, label)}"


def clause_lines(clause: DraftClause) -> list[str]:
    """One proposed clause as lines of clauses.yaml (a list item under `clauses:`), with its tags' comments."""
    lines = [f"  - id: {clause.id}", "    proposed: true", f"    confidence: {clause.confidence:.2f}",
             f"    quote: {_scalar(clause.span.text)}"]
    if clause.occurrence is not None:
        lines.append(f"    occurrence: {clause.occurrence}")
    lines.append("    statements:")
    for statement in clause.statements:
        first, *rest = statement.tags
        lines.append(f"      - {_tag_line(first, statement.label)}")
        lines += [f"        {_tag_line(tag)}" for tag in rest]
    return lines


def render(draft: Draft) -> str:
    lines = [HEADER.rstrip("\n"), f"# {len(draft.clauses)} clauses proposed out of {draft.segments} sentences read.", "clauses:"]
    if not draft.clauses:
        lines[-1] = "clauses: []"
    for clause in draft.clauses:
        lines += clause_lines(clause) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def metadata_skeleton(slug: str) -> str:
    name = slug.replace("-", " ").title()
    return (
        "# Skeleton written by `privacy-kg tag`: fill in (see docs/tagging.md).\n"
        f"name: {_scalar(name)}\n"
        "website: null\n"
        "sector: unknown\n"
        "source_url: null\n"
        "archive_url: null\n"
        "archived_on: null\n"
        "last_updated: null\n"
        "copyright: null\n"
        "seals: []\n"
        "parties: {}\n"
    )


@dataclass
class Written:
    folder: Path
    files: list[str]  # what was written (file names)
    clauses: int


def _check(project: Project, slug: str, files: dict[str, bytes]) -> None:
    """Load the draft with the corpus checker from a scratch copy; raise InputError if it does not load."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / slug
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        problems: list[Problem] = []
        CompanyLoader(project.vocabulary, project.keys, problems).load(folder)
        if problems:
            raise InputError([Problem(p.file.replace(str(folder), f"(draft {slug})"), p.line, p.clause, p.message) for p in problems])


def write_draft(project: Project, draft: Draft, text: str, folder: Path, force: bool = False) -> Written:
    """Write the draft beside the policy text in `folder` (a corpus/<slug>/ folder)."""
    if not SLUG.match(draft.slug):
        raise InputError([Problem(draft.slug, None, None, "the company slug must be lowercase letters, digits and '-'")])
    files = {CLAUSES_FILE: render(draft).encode("utf-8")}
    existing_text = folder / TEXT_FILE
    problems = []
    if existing_text.exists() and existing_text.read_text(encoding="utf-8") != text and not force:
        problems.append(Problem(str(existing_text), None, None, "a different policy text is already there; use --force to replace it"))
    if (folder / CLAUSES_FILE).exists() and not force:
        problems.append(Problem(str(folder / CLAUSES_FILE), None, None, "exists already; use --force to replace it with the draft"))
    if problems:
        raise InputError(problems)
    files[TEXT_FILE] = text.encode("utf-8")
    metadata = folder / METADATA_FILE
    files[METADATA_FILE] = metadata.read_bytes() if metadata.exists() else metadata_skeleton(draft.slug).encode("utf-8")
    _check(project, draft.slug, files)
    written = []
    for name, data in files.items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            write_atomically(path, data)
            written.append(name)
    return Written(folder, written, len(draft.clauses))
