"""Writing a carried version: the target text, its clauses.yaml and the carry report, checked first.

The carried clauses.yaml keeps the corpus format, so it loads and builds unchanged. Carry status is not a
clause field: each clause carries a YAML comment with its status (and a word diff when changed), a
changed clause is `proposed: true` (its tags now rest on edited words: a person accepts it by deleting
the flag, as for a draft of `privacy-kg tag`), and absent or ambiguous clauses are kept, commented out,
at the end of the file. The full status goes to carry-report.json and carry-report.md (the review file).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from privacy_kg import quotes
from privacy_kg.carry import AMBIGUOUS, CHANGED, Carry
from privacy_kg.corpus import CARRIED_HEADER, CLAUSES_FILE, METADATA_FILE, TEXT_FILE, VERSIONS_DIR, CompanyLoader, version_date
from privacy_kg.export import write_atomically
from privacy_kg.problems import InputError, Problem
from privacy_kg.project import Project

REPORT_JSON, REPORT_TEXT = "carry-report.json", "carry-report.md"


def _item(raw: dict[str, Any]) -> list[str]:
    dumped = yaml.safe_dump([raw], sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    return ["  " + line for line in dumped.rstrip("\n").splitlines()]


def render(result: Carry, raw: dict[str, dict], new_text: str, drafted_lines: list[str]) -> str:
    """clauses.yaml for the new version. `raw`: the old clauses.yaml's clauses by id, as written."""
    counts = {s: len(result.by_status(s)) for s in ("carried", "changed", "absent", "ambiguous")}
    lines = [f"{CARRIED_HEADER}: " + ", ".join(f"{n} {s}" for s, n in counts.items())
             + f". Review {REPORT_TEXT}; changed clauses are proposed until a person accepts them; "
               "delete this line once the version is reviewed.", "clauses:"]
    left = []
    for a in result.anchors:
        clause = {k: v for k, v in raw[a.clause].items() if k != "occurrence"}
        if a.new is None:
            left.append((a, clause))
            continue
        clause["quote"] = a.new.text
        if a.occurrence > 1 or quotes.count(new_text, a.new.text) > 1:  # the loader asks which one, even the first
            clause["occurrence"] = a.occurrence
        if a.status == CHANGED:
            clause["proposed"] = True
            lines.append(f"  # changed, similarity {a.similarity:.2f}: {a.diff}")
        lines += _item(clause)
    lines += drafted_lines
    if len(lines) == 2:
        lines[-1] = "clauses: []"
    for a, clause in left:
        where = ("; occurs at " + ", ".join(f"occurrence {c.occurrence} ({c.start}-{c.end})" for c in a.candidates)
                 if a.status == AMBIGUOUS else f"; best passage {a.similarity:.2f} similar")
        lines.append(f"# {a.status}: {a.clause}{where}")
        lines += ["# " + line for line in _item(clause)]
    return "\n".join(lines) + "\n"


def report(result: Carry, source: str, target: str, drafted: list[str] | None) -> dict:
    def span(s):
        return None if s is None else {"start": s.start, "end": s.end, "quote": s.text}
    return {
        "source": source, "target": target,
        "counts": {s: len(result.by_status(s)) for s in ("carried", "changed", "absent", "ambiguous")}
                  | {"uncovered_new_sentences": len(result.uncovered), "untagged_unchanged_sentences": result.untagged_unchanged},
        "clauses": [{"id": a.clause, "status": a.status, "old": span(a.old), "new": span(a.new), "occurrence": a.occurrence,
                     "similarity": a.similarity, "diff": a.diff,
                     "candidates": [c.__dict__ for c in a.candidates]} for a in result.anchors],
        "uncovered": [span(s) for s in result.uncovered],
        "drafted": drafted,  # ids of proposed clauses drafted for the uncovered text; None: no trained model
    }


def summary(rep: dict) -> str:
    c = rep["counts"]
    lines = [f"# Carry report: {rep['source']} -> {rep['target']}", "",
             f"{c['carried']} carried, {c['changed']} changed, {c['absent']} absent, {c['ambiguous']} ambiguous; "
             f"{c['uncovered_new_sentences']} new sentences no clause covers "
             f"({c['untagged_unchanged_sentences']} unchanged sentences were untagged before too).", ""]
    for status in ("changed", "ambiguous", "absent"):
        rows = [x for x in rep["clauses"] if x["status"] == status]
        if rows:
            lines += [f"## {status}", ""]
            for x in rows:
                extra = {"changed": lambda: f" ({x['similarity']:.2f}): {x['diff']}",
                         "ambiguous": lambda: " occurs " + ", ".join(f"#{k['occurrence']} at {k['start']}" for k in x["candidates"]),
                         "absent": lambda: f": {x['old']['quote']}"}[status]()
                lines.append(f"- `{x['id']}`{extra}")
            lines.append("")
    lines += ["## new text no clause covers", "",
              "No trained tagging model: the spans are listed only (`privacy-kg tagger train`, then carry again)."
              if rep["drafted"] is None else f"Drafted as proposed clauses: {', '.join(rep['drafted']) or 'none'}.", ""]
    lines += [f"- {u['start']}-{u['end']}: {u['quote']}" for u in rep["uncovered"]]
    return "\n".join(lines) + "\n"


@dataclass
class Written:
    folder: Path
    files: list[str]


def write(project: Project, folder: Path, files: dict[str, bytes], force: bool) -> Written:
    """Stage the files beside the folder, load the staged version with the corpus checker, then switch: a new
    folder is renamed into place whole, an existing one has each file replaced atomically."""
    if (folder / CLAUSES_FILE).exists() and not force:
        raise InputError([Problem(str(folder / CLAUSES_FILE), None, None, "exists already; use --force to replace it")])
    folder.parent.mkdir(parents=True, exist_ok=True)
    # a dot-folder beside it: the corpus ignores it, and a rename within one file system is atomic
    staged: Path | None = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staging-", dir=folder.parent))
    try:
        for name, data in files.items():
            (staged / name).write_bytes(data)
        if not (staged / METADATA_FILE).exists() and (folder / METADATA_FILE).exists():
            shutil.copy(folder / METADATA_FILE, staged / METADATA_FILE)
        problems: list[Problem] = []
        CompanyLoader(project.vocabulary, project.keys, problems).load(staged, *_identity(folder))
        if problems:
            raise InputError([Problem(p.file.replace(str(staged), str(folder)), p.line, p.clause, p.message) for p in problems])
        if not folder.exists():
            os.chmod(staged, 0o755)
            os.rename(staged, folder)
            staged = None
        else:
            for name, data in files.items():
                write_atomically(folder / name, data)
    finally:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
    return Written(folder, sorted(files))


def _identity(folder: Path) -> tuple[str, str | None]:
    """(slug, version) of the folder a carry writes: corpus/<slug>/versions/<date>/ is an earlier version."""
    if folder.parent.name == VERSIONS_DIR and version_date(folder.name):
        return folder.parent.parent.name, folder.name
    return folder.name, None


def files_for(result: Carry, raw: dict[str, dict], new_text: str, source: Path, target: Path, folder: Path,
              drafted_lines: list[str], drafted: list[str] | None,
              metadata: Callable[[Carry], bytes] | None = None) -> dict[str, bytes]:
    rep = report(result, str(source), str(target), drafted)
    files = {TEXT_FILE: new_text.encode("utf-8"), CLAUSES_FILE: render(result, raw, new_text, drafted_lines).encode("utf-8"),
             REPORT_JSON: (json.dumps(rep, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
             REPORT_TEXT: summary(rep).encode("utf-8")}
    if metadata is not None:
        files[METADATA_FILE] = metadata(result)
    elif not (folder / METADATA_FILE).exists():  # the old version's metadata, for a folder that loads: update its dates
        files[METADATA_FILE] = (source / METADATA_FILE).read_bytes()
    return files


def carry_version(project: Project, source: Path, target: Path, folder: Path, force: bool = False,
                  threshold: float | None = None, model=None,
                  metadata: Callable[[Carry], bytes] | None = None) -> tuple[Carry, Written]:
    """Carry the tagged folder `source` to the text `target`, written into `folder` (with `model`, the
    tagging assistant drafts proposed clauses for the new uncovered sentences; with `metadata`, the folder's
    metadata.yaml is what it makes of the result)."""
    from privacy_kg.carry import NEAR_THRESHOLD, carry
    problems: list[Problem] = []
    old = CompanyLoader(project.vocabulary, project.keys, problems).load(source, *_identity(source))
    try:
        new_text = target.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as e:
        problems.append(Problem(str(target), None, None, f"cannot read the target text as UTF-8 ({e.__class__.__name__})"))
    if problems or old is None:
        raise InputError(problems)
    raw = {c["id"]: c for c in yaml.safe_load((source / CLAUSES_FILE).read_text(encoding="utf-8"))["clauses"]}
    result = carry(old.text, new_text, old.clauses, NEAR_THRESHOLD if threshold is None else threshold)
    drafted_lines, drafted = [], None
    if model is not None:
        drafted_lines, drafted = _drafts(project, model, new_text, folder.name, result, set(raw))
    files = files_for(result, raw, new_text, source, target, folder, drafted_lines, drafted, metadata)
    return result, write(project, folder, files, force)


def _drafts(project, model, new_text, slug, result: Carry, taken: set[str]) -> tuple[list[str], list[str]]:
    from dataclasses import replace

    from privacy_kg.tagger.draft import Tagger, clause_id
    from privacy_kg.tagger.output import clause_lines
    wanted = {(s.start, s.end) for s in result.uncovered}
    lines, ids = [], []
    for clause in Tagger(model, project.vocabulary, project.keys).tag(new_text, slug).clauses:
        if (clause.span.start, clause.span.end) in wanted:
            clause = replace(clause, id=clause_id(clause.span.text, taken))
            lines += clause_lines(clause)
            ids.append(clause.id)
    return lines, ids
