"""`privacy-kg import ota`: every version of each service's privacy policy -> local/ota/<service>/.

Layout (one folder per service, ready to become corpus versions, issue 18 item 1):
  <slug>/history.json           service, source repository, attribution, licence, kept versions
                                (number, commit, dates, snapshot, classification, file) and skipped ones
  <slug>/versions/NNNN.md       the verbatim text of kept version NNNN (UTF-8)
  import-report.json            figures and every skipped version with its reason
  .manifest.json                every file this import wrote: the next import deletes only those
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from privacy_kg import atomic_export
from privacy_kg.ota import repo
from privacy_kg.ota.history import CHANGE, DELETED, FLAP_DAYS, History, Version, decode, history, snapshot

ATTRIBUTION = "Open Terms Archive contributors"
LICENCE = "ODC-BY-1.0"
LICENCE_URL = "https://opendatacommons.org/licenses/by/1-0/"
REPORT_FILE, MANIFEST = "import-report.json", ".manifest.json"


@dataclass
class ServiceResult:
    service: str
    slug: str
    seen: int
    history: History
    paths: list[str]          # the file names it had (renames), oldest first
    deleted: str | None       # commit that deleted it, when its file no longer exists


def slugify(service: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", service.lower()).strip("-") or "service"


def _services(changes: list[repo.Change]) -> dict[str, list[repo.Change]]:
    """Changes by service, a renamed file's history following it under its newest name."""
    alias: dict[str, str] = {}          # path -> the service it belongs to (its first name)
    by_service: dict[str, list[repo.Change]] = defaultdict(list)
    for c in changes:
        origin = alias.get(c.old_path or c.path, c.path)
        alias[c.path] = origin
        by_service[origin].append(c)
    return by_service


def read(repository: Path, services: list[str] | None = None, flap_days: int = FLAP_DAYS) -> list[ServiceResult]:
    with repo.opened(repository) as git_dir:
        changes = repo.changes(git_dir, services)
        wanted = sorted({c.blob for c in changes if c.blob})
        texts = {blob: decode(data) for blob, data in repo.blobs(git_dir, wanted)}
    results = []
    for origin, chs in sorted(_services(changes).items()):
        versions = [Version(c.commit, c.authored, c.recorded, c.message, c.path, *texts[c.blob]) for c in chs if c.blob]
        paths = list(dict.fromkeys(c.path for c in chs))
        name = paths[-1].split("/")[0]
        deleted = chs[-1].commit if chs[-1].status == "D" else None
        results.append(ServiceResult(name, slugify(name), len(versions), history(versions, flap_days), paths, deleted))
    return results


def _entry(v: Version, number: int | None = None) -> dict:
    entry = {"number": number} if number is not None else {}
    entry.update(commit=v.commit, recorded=v.recorded, authored=v.authored, classification=v.classification,
                 subject=v.message.splitlines()[0] if v.message else "", snapshot=snapshot(v.message), path=v.path)
    if not v.utf8:
        entry["encoding"] = "not UTF-8: decoded as Windows-1252"
    return entry


def outputs(results: list[ServiceResult], source: str, flap_days: int = FLAP_DAYS) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    taken = Counter()
    services = []
    for r in results:
        taken[r.slug] += 1
        slug = r.slug if taken[r.slug] == 1 else f"{r.slug}-{taken[r.slug]}"
        kept = []
        for n, v in enumerate(r.history.kept, 1):
            rel = f"{slug}/versions/{n:04d}.md"
            files[rel] = v.text.encode("utf-8")
            kept.append({**_entry(v, n), "file": f"versions/{n:04d}.md", "bytes": len(files[rel])})
        skipped = [{**_entry(v), "reason": reason} for v, reason in r.history.skipped]
        if r.deleted:
            skipped.append({"commit": r.deleted, "reason": DELETED})
        doc = {"service": r.service, "slug": slug, "document": repo.DOCUMENT, "source": source,
               "attribution": ATTRIBUTION, "licence": LICENCE, "licence_url": LICENCE_URL,
               "renamed_from": r.paths[:-1], "deleted_by": r.deleted, "versions": kept, "skipped": skipped}
        files[f"{slug}/history.json"] = _json(doc)
        services.append({"service": r.service, "slug": slug, "seen": r.seen, "kept": len(kept),
                         "substantive_changes": sum(k["classification"] == CHANGE for k in kept),
                         "skipped": dict(sorted(Counter(s["reason"] for s in skipped).items())),
                         "first": {k: kept[0][k] for k in ("commit", "recorded")} if kept else None,
                         "latest": {k: kept[-1][k] for k in ("commit", "recorded")} if kept else None})
    skipped_all = Counter()
    for s in services:
        skipped_all.update(s["skipped"])
    report = {"source": source, "attribution": ATTRIBUTION, "licence": LICENCE, "flap_days": flap_days,
              "services": len(services), "versions_seen": sum(s["seen"] for s in services),
              "versions_kept": sum(s["kept"] for s in services),
              "substantive_changes": sum(s["substantive_changes"] for s in services),
              "non_utf8_versions": sum(not v.utf8 for r in results for v in r.history.kept),
              "skipped": {"total": sum(skipped_all.values()), **dict(sorted(skipped_all.items()))},
              "per_service": services}
    files[REPORT_FILE] = _json(report)
    return files


def _json(data) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Switch out_dir to the new import in one atomic step (atomic_export), deleting only the files the
    previous import wrote (its manifest) that this one does not: nothing else is touched. Returns the
    changed paths."""
    out_dir = Path(out_dir)
    atomic_export.settle(out_dir)
    manifest = out_dir / MANIFEST
    before = set(json.loads(manifest.read_text("utf-8"))["files"]) if manifest.is_file() else set()
    return atomic_export.switch(out_dir, {**files, MANIFEST: _json({"files": sorted(files)})}, before)
