"""Carrying a company's tags to every recorded version of its policy: `privacy-kg history carry`.

The versions come from an Open Terms Archive import (local/ota/<service>/: history.json and versions/NNNN.md,
written by `privacy-kg import ota`). Each kept version that has no folder in corpus/<slug>/versions/ yet
gets one, named by the day it was recorded, carried (privacy_kg.carry_output, the one writer of carried
folders) from the nearest hand-checked version: the current one (corpus/<slug>/) or an earlier version whose
clauses.yaml carry did not write (corpus.is_carried). An existing folder is never touched, carried or not.

Skipped, with the reason: a version recorded on the current version's day or later (the current version is
the newest), one whose text is the current text (Open Terms Archive recorded it first), and one recorded on
the same day as a later one (the folder holds the version in force at the end of that day).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterator
from urllib.parse import quote

import yaml

from privacy_kg.carry import Carry
from privacy_kg.carry_output import carry_version
from privacy_kg.corpus import (CLAUSES_FILE, METADATA_FILE, TEXT_FILE, VERSIONS_DIR, CompanyLoader, company_dirs,
                               is_carried, version_date, version_dirs)
from privacy_kg.ota.history import normalise
from privacy_kg.problems import InputError, Problem
from privacy_kg.project import Project

HISTORY_FILE = "history.json"
CURRENT = "current"
WRITTEN, EXISTS, IS_CURRENT, SAME_TEXT, NEWER, SAME_DAY = (
    "written", "exists", "the current version", "same text as the current version", "not before the current version",
    "a later version was recorded the same day")


@dataclass
class Recorded:
    """One kept version of the import: its day, text file and Open Terms Archive record."""

    day: str
    number: int
    text: Path
    commit: str
    snapshot: str | None
    path: str


@dataclass
class Outcome:
    day: str
    status: str  # WRITTEN, or why the version was left alone
    source: str | None = None  # CURRENT or the day of the hand-checked version it was carried from
    result: Carry | None = None
    number: int | None = None  # the version's number in the import (versions/NNNN.md)


@dataclass
class Plan:
    slug: str
    company_dir: Path
    history: dict
    recorded: list[Recorded] = field(default_factory=list)


def _problem(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), None, None, message)])


def read_history(ota_dir: Path) -> dict:
    """history.json of an imported service, checked for what carrying reads."""
    path = Path(ota_dir) / HISTORY_FILE
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(path, "is missing: give --ota a service folder written by `privacy-kg import ota` "
                             "(local/ota/<service>/)") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise _problem(path, f"is not JSON ({e.__class__.__name__}); re-run `privacy-kg import ota`") from None
    versions = history.get("versions") if isinstance(history, dict) else None
    if not isinstance(versions, list) or not all(
            isinstance(v, dict) and isinstance(v.get("recorded"), str) and isinstance(v.get("file"), str)
            and isinstance(v.get("commit"), str) and isinstance(v.get("number"), int) for v in versions):
        raise _problem(path, "is not an import history (a list of versions with number, commit, recorded and file); "
                             "re-run `privacy-kg import ota`")
    return history


def plan(project: Project, slug: str, ota_dir: Path) -> Plan:
    [company_dir] = company_dirs(project.corpus_dir, [slug])
    history = read_history(ota_dir)
    found = Plan(slug, company_dir, history)
    for v in history["versions"]:
        day = version_date(v["recorded"][:10])
        if day is None:
            raise _problem(Path(ota_dir) / HISTORY_FILE, f"version {v['number']}: recorded {v['recorded']!r} is not a date")
        text = Path(ota_dir) / v["file"]
        found.recorded.append(Recorded(day, v["number"], text, v["commit"], v.get("snapshot"), v.get("path") or ""))
    found.recorded.sort(key=lambda r: (r.day, r.number))
    return found


def _hand_checked(company_dir: Path, current_day: str) -> dict[str, Path]:
    """Day -> folder of every hand-checked version: the current one, and earlier ones carry did not write."""
    checked = {current_day: company_dir}
    for folder in version_dirs(company_dir):
        if version_date(folder.name) and (folder / CLAUSES_FILE).is_file() and not is_carried(folder):
            checked[folder.name] = folder
    return checked


def _nearest(checked: dict[str, Path], day: str) -> str:
    """The hand-checked day nearest to `day` (the later one on a tie: recent wording is closer to the present)."""
    from datetime import date
    target = date.fromisoformat(day)
    return min(checked, key=lambda d: (abs((date.fromisoformat(d) - target).days), -date.fromisoformat(d).toordinal()))


def _metadata(source_meta: dict, claimed_seals: set[str], recorded: Recorded, service: str, day: str) -> bytes:
    """The carried version's metadata: the source's company fields, this version's day and record."""
    meta = {k: v for k, v in source_meta.items() if k not in ("archived_on", "last_updated", "source_url", "archive_url", "ota")}
    ota = source_meta["ota"]
    meta["source_url"] = f"{ota['repository'].rstrip('/')}/blob/{recorded.commit}/{quote(recorded.path)}"
    meta["archived_on"] = day
    meta["ota"] = {"repository": ota["repository"], "service": service, "commit": recorded.commit,
                   "snapshot": recorded.snapshot}
    if meta.get("seals"):
        meta["seals"] = [s for s in meta["seals"] if s in claimed_seals]
    header = (f"# Written by `privacy-kg history carry` from the import's version {recorded.number} (recorded {day}).\n"
              "# last_updated: not read from the text; add it if the policy states one.\n")
    return (header + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=110)).encode("utf-8")


def _claimed_seals(result: Carry, raw_clauses: dict[str, dict]) -> set[str]:
    """The seals the carried clauses still claim (a seal in metadata must be claimed by a clause)."""
    seals: set[str] = set()
    for anchor in result.anchors:
        if anchor.new is None:
            continue
        for statement in raw_clauses[anchor.clause].get("statements") or []:
            value = statement.get("seals") if isinstance(statement, dict) else None
            seals.update(value if isinstance(value, list) else [value] if value else [])
    return seals


def carry_all(project: Project, slug: str, ota_dir: Path, threshold: float | None = None, model=None) -> Iterator[Outcome]:
    """Write corpus/<slug>/versions/<day>/ for every recorded version that has none, carried from the nearest
    hand-checked version, oldest first; yields what happened to each. Stops at the first version that cannot
    be written (InputError), keeping those written before it (each folder is switched in whole)."""
    found = plan(project, slug, ota_dir)
    problems: list[Problem] = []
    current = CompanyLoader(project.vocabulary, project.keys, problems).load(found.company_dir)
    if problems or current is None:
        raise InputError(problems)
    meta_path = found.company_dir / METADATA_FILE
    source_meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    if current.recorded is None:
        raise _problem(meta_path, "archived_on is required: it dates the current version, which the recorded versions "
                                  "are placed before")
    if not isinstance(source_meta.get("ota"), dict) or not source_meta["ota"].get("repository"):
        raise _problem(meta_path, "has no `ota:` record: the carried versions name their Open Terms Archive record "
                                  "(ota: repository, service, commit, snapshot); add the current version's")
    current_text = normalise(current.text)
    for i, rec in enumerate(found.recorded):
        later_same_day = i + 1 < len(found.recorded) and found.recorded[i + 1].day == rec.day
        folder = found.company_dir / VERSIONS_DIR / rec.day
        if rec.commit == current.metadata.get("ota", {}).get("commit") or rec.day == current.recorded:
            yield Outcome(rec.day, IS_CURRENT, number=rec.number)
        elif rec.day > current.recorded:
            yield Outcome(rec.day, NEWER, number=rec.number)
        elif later_same_day:
            yield Outcome(rec.day, SAME_DAY, number=rec.number)
        elif folder.exists():
            yield Outcome(rec.day, EXISTS, number=rec.number)
        elif normalise(_read_text(rec.text)) == current_text:
            yield Outcome(rec.day, SAME_TEXT, number=rec.number)
        else:
            yield _carry_one(project, found, current.recorded, source_meta, rec, folder, threshold, model)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as e:
        raise _problem(path, f"cannot read the recorded version as UTF-8 text ({e.__class__.__name__}); "
                             "re-run `privacy-kg import ota`") from None


def _carry_one(project: Project, found: Plan, current_day: str, current_meta: dict, rec: Recorded, folder: Path,
               threshold: float | None, model) -> Outcome:
    checked = _hand_checked(found.company_dir, current_day)
    source_day = _nearest(checked, rec.day)
    source = checked[source_day]
    source_meta = current_meta if source == found.company_dir else yaml.safe_load((source / METADATA_FILE).read_text("utf-8"))
    if not isinstance(source_meta.get("ota"), dict):  # an earlier hand-checked version without a record: the current's
        source_meta = {**source_meta, "ota": current_meta["ota"]}
    service = found.history.get("service") or source_meta["ota"].get("service")
    raw = {c["id"]: c for c in (yaml.safe_load((source / CLAUSES_FILE).read_text("utf-8")) or {}).get("clauses") or []
           if isinstance(c, dict)}

    def metadata(result: Carry) -> bytes:
        return _metadata(source_meta, _claimed_seals(result, raw), rec, service, rec.day)
    result, _written = carry_version(project, source, rec.text, folder, threshold=threshold, model=model, metadata=metadata)
    return Outcome(rec.day, WRITTEN, CURRENT if source == found.company_dir else source_day, result, rec.number)


def summary(outcome: Outcome) -> str:
    where = f"{VERSIONS_DIR}/{outcome.day} (import version {outcome.number})"
    if outcome.status != WRITTEN:
        return f"{where}: left alone: {outcome.status}"
    r = outcome.result
    counts = ", ".join(f"{len(r.by_status(s))} {s}" for s in ("carried", "changed", "absent", "ambiguous"))
    source = "the current version" if outcome.source == CURRENT else f"{VERSIONS_DIR}/{outcome.source}"
    return f"{where}: carried from {source}: {counts}; {len(r.uncovered)} new sentences uncovered"
