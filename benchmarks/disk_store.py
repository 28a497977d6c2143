"""The on-disk store (privacy_kg.disk_store) on a built project: first fill, every stored query against the
in-memory store, one company changed (rebuilt incrementally, then the store synced), and a change of many
companies (per-company cost of the transactional path against a full fill).

    python -m benchmarks.synthetic /tmp/n1000 -n 1000 && privacy-kg build --root /tmp/n1000
    cp -r queries /tmp/n1000/ && python -m benchmarks.disk_store --root /tmp/n1000 [--changes 5] [--many 100]

benchmarks/run.py runs the same stages (`stages`) for each N after its own. Prints a table; --out writes
the rows as JSON."""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import time
from pathlib import Path

import yaml

from privacy_kg import build as building, disk_store, queries
from privacy_kg.project import Project
from privacy_kg.store import export_files, open_store
from privacy_kg.validate import validate_company

FIRST_FILL = "on-disk store: first fill (bulk load)"
DISK_QUERIES = "queries (all stored, on-disk store)"
ONE_CHANGED = "one company changed: rebuilt, validated, store synced"


def stages(rows: list[dict], project: Project, n: int, measured, changes: int = 1, many: int = 0,
           memory_times: dict[str, float] | None = None, quads: int | None = None) -> None:
    """Append the on-disk store's rows; `measured` is benchmarks.run's timing context manager; `quads`, when
    known (the export's count), gives the first fill's rate."""
    fill(rows, project, n, measured, quads)
    query_all(rows, project, n, measured, memory_times)
    changed(rows, project, n, measured, changes, many)


def fill(rows: list[dict], project: Project, n: int, measured, quads: int | None = None) -> None:
    """The first fill of a new store from the export."""
    db = project.root / "disk-store"
    shutil.rmtree(db, ignore_errors=True)
    with measured(rows, FIRST_FILL, quads, companies=n) as row:
        report = disk_store.sync(db, export_files(project.kg_dir))
        row["graphs"] = report.graphs


def query_all(rows: list[dict], project: Project, n: int, measured, memory_times: dict[str, float] | None = None) -> None:
    """Every stored query on the filled store, each timed; with the in-memory store's times, the median ratio."""
    store = open_store(project.kg_dir, project.root / "disk-store")
    times = {}
    with measured(rows, DISK_QUERIES, companies=n) as row:
        for q in queries.load_all(project.queries_dir):
            started = time.perf_counter()
            queries.run_embedded(store, q)
            times[q.name] = time.perf_counter() - started
            print(f"  {q.name}: {times[q.name]:.2f} s", flush=True)
        row["median_query_s"] = round(statistics.median(times.values()), 3)
        row["max_query"] = max(times, key=times.get) + f" {max(times.values()):.2f} s"
    row["per_query_s"] = {name: round(t, 3) for name, t in times.items()}
    if memory_times:
        ratios = [times[name] / memory_times[name] for name in times if memory_times.get(name)]
        row["median_ratio_to_memory"] = round(statistics.median(ratios), 2)
    del store
    gc.collect()


def changed(rows: list[dict], project: Project, n: int, measured, changes: int = 1, many: int = 0) -> None:
    """Companies edited, then rebuilt (incremental build), validated and the store (already filled) synced:
    each company's row has the three parts' times."""
    db = project.root / "disk-store"
    slugs = sorted(p.name for p in project.corpus_dir.iterdir())
    refresh(project, db)
    for i in range(changes):
        slug = slugs[(n // 2 + i * 7919) % n]
        edit(project, [slug], f"store benchmark {i} {time.time_ns()}")
        with measured(rows, ONE_CHANGED, companies=n) as row:
            started = time.perf_counter()
            rebuild(project)
            rebuilt = time.perf_counter()
            validate_company(slug, project.kg_dir, project.ontology_dir)
            validated = time.perf_counter()
            report = disk_store.sync(db, export_files(project.kg_dir))
            row.update(mode=report.mode, replaced=len(set(report.replaced)), rebuild_s=round(rebuilt - started, 3),
                       validate_s=round(validated - rebuilt, 3), sync_s=round(time.perf_counter() - validated, 3),
                       note=f"{slug}: rebuild {rebuilt - started:.1f} s, validate {validated - rebuilt:.1f} s, "
                            f"sync {time.perf_counter() - validated:.1f} s ({report.summary()})")
    if many:
        chosen = [slugs[(i * 7919) % n] for i in range(many)]
        edit(project, chosen, f"store benchmark, many {time.time_ns()}")
        rebuild(project)
        with measured(rows, f"{many} companies changed: store synced", companies=n) as row:
            report = disk_store.sync(db, export_files(project.kg_dir))
            row.update(mode=report.mode, replaced=len(set(report.replaced)))
        row["per_company_s"] = round(row["wall_s"] / many, 4)


def edit(project: Project, slugs: list[str], note: str) -> None:
    """Change each company's first statement's note: a real change of its graph."""
    for slug in slugs:
        clauses = project.corpus_dir / slug / "clauses.yaml"
        document = yaml.safe_load(clauses.read_text(encoding="utf-8"))
        document["clauses"][0]["statements"][0]["note"] = note
        clauses.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


def rebuild(project: Project) -> None:
    building.write(project, building.build(project, None, incremental=True))


def refresh(project: Project, db: Path | None = None) -> None:
    """Untimed: the export (and the store) in step with the current code, so that a timed change rebuilds one
    company. A run resumed after a change to the build code would otherwise rebuild every company in the row."""
    rebuild(project)
    if db is not None:
        disk_store.sync(db, export_files(project.kg_dir))


def memory_stage(rows: list[dict], project: Project, n: int, measured) -> dict[str, float]:
    store = open_store(project.kg_dir)
    times = {}
    with measured(rows, "queries (all stored, in-memory store)", companies=n) as row:
        for q in queries.load_all(project.queries_dir):
            started = time.perf_counter()
            queries.run_embedded(store, q)
            times[q.name] = time.perf_counter() - started
        row["median_query_s"] = round(statistics.median(times.values()), 3)
    return times


def main() -> None:
    from benchmarks.run import measured, table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="a built project (corpus/, kg/, queries/)")
    parser.add_argument("--changes", type=int, default=5, help="one-company changes to time, one after the other")
    parser.add_argument("--many", type=int, default=100, help="then this many companies changed at once (0: skip)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--changes-only", action="store_true", help="only the changes, on the store an earlier run filled")
    args = parser.parse_args()
    project = Project(args.root.resolve())
    n = sum(1 for p in project.corpus_dir.iterdir() if p.is_dir())
    rows: list[dict] = []
    if args.changes_only:
        changed(rows, project, n, measured, args.changes, args.many)
        print(table(rows))
        return
    with measured(rows, "load (embedded store, in memory)", companies=n) as row:
        row["triples"] = len(open_store(project.kg_dir))
    memory = memory_stage(rows, project, n, measured)
    stages(rows, project, n, measured, args.changes, args.many, memory)
    print(table(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
