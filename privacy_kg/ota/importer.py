"""`privacy-kg import ota`: every version of each service's privacy policy -> local/ota/<service>/.

Layout (one folder per service, ready to become corpus versions, issue 18 item 1):
  <slug>/history.json           service, source repository, attribution, licence, kept versions
                                (number, commit, dates, snapshot, classification, file) and skipped ones
  <slug>/versions/NNNN.md       the verbatim text of kept version NNNN (UTF-8)
  import-report.json            figures and every skipped version with its reason (and, with a model, the
                                drafts: sentences, model, time, memory, sizes of the representation)
  .manifest.json                every file this import wrote: the next import deletes only those
With a trained tagger model (local/models/), machine drafts for every kept version (privacy_kg.ota.drafts:
each distinct sentence classified once; privacy_kg.ota.graphs: the representation):
  quads/ota-<slug>.nq           graph/ota-<slug>: the latest kept version, drafted (load with --extra-kg)
  quads/ontology.nq             the ontology's graphs, as in kg/quads/
  companies/ota-<slug>.ttl      the same, asserted, and inferred/ota-<slug>.ttl its closure (for validate)
  history-compact/ota-<slug>/history.nq  graph/ota-<slug>/history: every kept version, each distinct
                                sentence once (not loaded by --extra-kg: privacy_kg.ota.graphs)
The work runs per service and per batch of sentences on an executor (local pool or dask); only this
process writes, through one atomic switch (atomic_export.Switch), the drafted graphs staged as they come.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from pathlib import Path

from privacy_kg import atomic_export
from privacy_kg.build import COMPANIES_DIR, INFERRED_DIR
from privacy_kg.executors import chunksize
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


def folders(results: list[ServiceResult]) -> list[str]:
    """Each service's folder in the import: its slug, numbered when two services share one."""
    taken = Counter()
    found = []
    for r in results:
        taken[r.slug] += 1
        found.append(r.slug if taken[r.slug] == 1 else f"{r.slug}-{taken[r.slug]}")
    return found


def kept_entries(r: ServiceResult) -> list[dict]:
    """history.json's record of each kept version."""
    return [{**_entry(v, n), "file": f"versions/{n:04d}.md", "bytes": len(v.text.encode("utf-8"))}
            for n, v in enumerate(r.history.kept, 1)]


def outputs(results: list[ServiceResult], source: str, flap_days: int = FLAP_DAYS) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    services = []
    for r, slug in zip(results, folders(results)):
        kept = []
        for v, entry in zip(r.history.kept, kept_entries(r)):
            files[f"{slug}/{entry['file']}"] = v.text.encode("utf-8")
            kept.append(entry)
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


def write(out_dir: Path, files: dict[str, bytes], staged: atomic_export.Switch | None = None) -> list[str]:
    """Switch out_dir to the new import in one atomic step (atomic_export), deleting only the files the
    previous import wrote (its manifest) that this one does not: nothing else is touched. `staged`: a switch
    already holding files of this import (the drafted graphs), listed in the manifest too. Returns the
    changed paths."""
    out_dir = Path(out_dir)
    atomic_export.settle(out_dir)
    manifest = out_dir / MANIFEST
    before = set(json.loads(manifest.read_text("utf-8"))["files"]) if manifest.is_file() else set()
    if staged is None:
        return atomic_export.switch(out_dir, {**files, MANIFEST: _json({"files": sorted(files)})}, before)
    for rel in sorted(files):
        staged.add(rel, files[rel])
    staged.add(MANIFEST, _json({"files": sorted(staged.added)}))
    return staged.commit(before)


def draft(results: list[ServiceResult], out_dir: Path, settings, model, executor=None,
          progress: Callable[[str, int, int], None] = lambda stage, done, total: None) -> tuple[atomic_export.Switch, dict]:
    """Machine drafts for every kept version: sentences per service, each distinct sentence classified once,
    each service's graphs made; all of it on the executor. The graphs are staged in a Switch of out_dir as
    they come (the caller adds the other files and commits it, or discards it); returns it with the figures
    for the report."""
    from privacy_kg.build import ONTOLOGY_QUADS, ontology_quads
    from privacy_kg.ota import drafts, graphs
    from privacy_kg.tagger.draft import DRAFT_THRESHOLD

    clock = time.monotonic()
    started = clock
    figures: dict = {"model": model.as_dict(), "threshold": DRAFT_THRESHOLD, "seconds": {}}
    services = [(r, f) for r, f in zip(results, folders(results)) if r.history.kept]
    texts = [[v.text for v in r.history.kept] for r, _ in services]
    sentences = list(_mapped(executor, drafts.version_sentences, texts,
                             lambda n: progress("segmenting", n, len(services))))
    figures["seconds"]["segment"] = round(time.monotonic() - clock, 1)
    distinct = list(dict.fromkeys(k for per_service in sentences for v in per_service for k in v.keys))
    figures["sentences"] = {
        "total": sum(v.occurrences for per_service in sentences for v in per_service),
        "distinct_per_version": sum(len(v.keys) for per_service in sentences for v in per_service),
        "distinct_per_service": sum(len({k for v in per_service for k in v.keys}) for per_service in sentences),
        "distinct": len(distinct),
    }
    clock = time.monotonic()
    done = 0

    def classified(n: int) -> None:
        nonlocal done
        done += n
        progress("classifying", done, len(distinct))

    found = drafts.classify(distinct, settings, executor, progress=classified)
    figures["sentences"].update(classified=found.keys, drafted=len(found.drafts), statements=found.statements)
    figures["seconds"]["classify"] = round(time.monotonic() - clock, 1)
    figures["classify_rate_per_cpu_second"] = round(found.keys / found.cpu_seconds) if found.cpu_seconds else None
    figures["classify_cpu_seconds"] = found.cpu_seconds
    clock = time.monotonic()
    jobs = [service_job(r, folder, per_service, found.drafts, model) for (r, folder), per_service in zip(services, sentences)]
    del sentences
    staged = atomic_export.Switch(out_dir)
    totals: Counter = Counter()
    problems: list[str] = []
    try:
        staged.add(ONTOLOGY_QUADS, ontology_quads(Path(settings.ontology_dir)))
        # the largest services first, each result staged as soon as it is made (few held in memory at once)
        jobs.sort(key=lambda j: -sum(len(keys) for keys in j.keys))
        for n, made in enumerate(_unordered(executor, graphs.service_graphs, jobs, settings), 1):
            slug = graphs.rdf_slug(made.folder)
            staged.add(f"quads/{slug}.nq", made.latest)
            staged.add(f"{COMPANIES_DIR}/{slug}.ttl", made.asserted)
            staged.add(f"{INFERRED_DIR}/{slug}.ttl", made.inferred)
            staged.add(f"{graphs.HISTORY_DIR}/{slug}/{graphs.HISTORY_FILE}", made.history)
            totals.update({k: v for k, v in made.figures.items() if not isinstance(v, bool)})
            totals["full_count_mismatches"] += not made.figures["full_count_checked_on_latest"]
            problems += made.problems
            progress("mapping", n, len(jobs))
    except BaseException:
        staged.generation.discard()
        raise
    figures["seconds"]["map"] = round(time.monotonic() - clock, 1)
    figures["seconds"]["total"] = round(time.monotonic() - started, 1)
    figures["representation"] = {
        "chosen": "one graph per service (graph/ota-<slug>/history): each distinct drafted sentence once, "
                  "with pk:inVersion links to the versions that hold it",
        "history_quads": totals["history_quads"], "in_version_links": totals["in_version_links"],
        "validity_intervals_instead": totals["validity_intervals"],
        "full_graph_per_version_quads": totals["full_graph_per_version_quads"],
        "ratio": round(totals["full_graph_per_version_quads"] / totals["history_quads"], 1) if totals["history_quads"] else None,
        "latest_version_quads": totals["latest_quads"],
        "full_count_checked_on_latest_mismatches": totals["full_count_mismatches"],
    }
    figures["problems"] = sorted(problems)
    return staged, figures


def service_job(r: ServiceResult, folder: str, sentences: list, drafted: dict, model):
    """What a worker needs to make one service's graphs: its kept versions' records and sentence keys, the
    drafts of its keys, the latest text."""
    from privacy_kg.ota.graphs import ServiceJob

    return ServiceJob(folder, r.service, kept_entries(r), [v.keys for v in sentences],
                      {k: drafted[k] for v in sentences for k in v.keys if k in drafted},
                      r.history.kept[-1].text, sentences[-1].spans, model, LICENCE_URL, ATTRIBUTION)


def _unordered(executor, fn, items: list, *shared, window: int = 4):
    """fn over items (with the `shared` arguments) as they complete, at most `window` in flight per
    worker of a local pool: results are yielded (and can be written and dropped) as they come."""
    if executor is None:
        yield from (fn(item, *shared) for item in items)
        return
    limit = window * max(1, getattr(executor, "_max_workers", 4))
    pending: set = set()
    queue = iter(items)
    while True:
        for item in queue:
            pending.add(executor.submit(fn, item, *shared))
            if len(pending) >= limit:
                break
        if not pending:
            return
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()


def _mapped(executor, fn, items: list, progress: Callable[[int], None] | None, *shared):
    """fn over items (with the `shared` arguments), on the executor when there is one, in order."""
    args = [items] + [[s] * len(items) for s in shared]
    work = map(fn, *args) if executor is None else executor.map(fn, *args, chunksize=chunksize(len(items)))
    for n, result in enumerate(work, 1):
        if progress is not None:
            progress(n)
        yield result
