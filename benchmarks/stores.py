"""Load and query times of the seed KG per store: the embedded Oxigraph (pyoxigraph), an Oxigraph server
and a hermetic Virtuoso (when installed: .ci/setup-system), both on 127.0.0.1, loaded with `privacy-kg
load` (Graph Store Protocol) and queried through SPARQLWrapper.

    python -m benchmarks.stores [--repeat 3]

Prints one row per store: load seconds, triples/s, and the median / max / total of the stored queries
(each the best of --repeat runs)."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from privacy_kg import load as loading, queries, servers
from privacy_kg.build import QUADS_DIR
from privacy_kg.project import Project
from privacy_kg.store import open_store


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def figures(name: str, load_s: float, triples: int, query_s: dict[str, float]) -> dict:
    values = sorted(query_s.values())
    return {"store": name, "load_s": round(load_s, 3), "triples_per_s": round(triples / load_s) if load_s else None,
            "median_query_s": round(statistics.median(values), 3), "max_query_s": round(values[-1], 3),
            "slowest": max(query_s, key=query_s.get), "all_queries_s": round(sum(values), 2)}


def embedded(project: Project, stored: list[queries.StoredQuery], repeat: int) -> dict:
    started = time.perf_counter()
    store = open_store(project.kg_dir)
    load_s = time.perf_counter() - started
    times = {q.name: best_of(repeat, lambda q=q: queries.run_embedded(store, q)) for q in stored}
    return figures("embedded Oxigraph (pyoxigraph, in memory)", load_s, len(store), times)


def remote(server: servers.Server, project: Project, stored: list[queries.StoredQuery], repeat: int,
           credentials: tuple[str, str] | None) -> dict:
    target = loading.Target(server.query_url, server.store_url, credentials)
    report = loading.load(project.kg_dir, target)
    if not report.ok:
        raise SystemExit(f"{server.name}: the load failed: {report.error or report.mismatched}")
    times = {}
    for q in stored:
        try:
            times[q.name] = best_of(repeat, lambda q=q: queries.run_endpoint(server.query_url, q))
        except Exception as error:  # noqa: BLE001 - a query a store cannot run is reported, not fatal
            print(f"{server.name}: {q.name} failed: {str(error)[:200]}")
    return figures(f"{server.name} server", report.seconds, report.sent_triples, times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args()
    project = Project.find(args.root)
    if not (project.kg_dir / QUADS_DIR).is_dir():
        raise SystemExit("run `privacy-kg build` first")
    stored = queries.load_all(project.queries_dir)
    rows = [embedded(project, stored, args.repeat)]
    with servers.start_oxigraph() as server:
        rows.append(remote(server, project, stored, args.repeat, None))
    if servers.virtuoso_binary():
        with servers.start_virtuoso() as server:
            rows.append(remote(server, project, stored, args.repeat, (servers.VIRTUOSO_USER, servers.VIRTUOSO_PASSWORD)))
    else:
        print("Virtuoso is not installed (.ci/setup-system): skipped")
    columns = list(rows[0])
    print("  ".join(columns))
    for row in rows:
        print("  ".join(str(row[c]) for c in columns))


if __name__ == "__main__":
    main()
