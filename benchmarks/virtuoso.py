"""Virtuoso on a built project (`--virtuoso`): a hermetic instance (its own ini and new database in the work
folder, 127.0.0.1 only, the export's quads/ in DirsAllowed), the export loaded with `privacy-kg load --bulk`'s
code (privacy_kg.virtuoso_bulk: every graph's triple count verified afterwards), then every stored query that
reads the current graphs (not `# needs: history`: `load` does not push kg/history/) on its SPARQL endpoint.

The instance's address space is capped (--virtuoso-memory-gb; half of it its page cache): Virtuoso 7.2 grows
without bound on some queries (`contradictions` on the synthetic corpus: past 20 GB at N = 10), and the
machine may be shared. A query that ends the server is reported as such, and the server is started again on
the same folder (the loaded database), so the other queries still run."""

from __future__ import annotations

import logging
import shutil
import subprocess
import statistics
import time

from privacy_kg import queries, servers, virtuoso_bulk
from privacy_kg.build import QUADS_DIR
from privacy_kg.load import Target
from privacy_kg.project import Project

BULK_LOAD = "Virtuoso: load --bulk (verified)"
QUERIES = "queries (all stored, Virtuoso endpoint)"
MEMORY_GB = 4
BUFFERS_PER_GB = 85_000  # Virtuoso's advice for NumberOfBuffers (8 KB pages)
QUERY_SECONDS = 600  # the server's own limit on one query (MaxQueryExecutionTime)
START_SECONDS = 600  # a restart on a big database rolls its log forward first


def stages(rows: list[dict], project: Project, n: int, measured, loaders: int, memory_gb: float = MEMORY_GB) -> None:
    """Append the bulk load's row and the queries' row; a message instead when virtuoso-t is not installed."""
    if servers.virtuoso_binary() is None:
        print(f"N = {n}: --virtuoso skipped: virtuoso-t is not installed (.ci/setup-system: Debian virtuoso-opensource)")
        return
    folder = project.root / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    buffers = int(BUFFERS_PER_GB * memory_gb / 2)

    def start() -> servers.Server:
        return servers.start_virtuoso(folder, dirs_allowed=(project.kg_dir / QUADS_DIR,), buffers=buffers,
                                      query_seconds=QUERY_SECONDS, memory_limit=int(memory_gb * 2**30),
                                      timeout=START_SECONDS)

    server = start()
    try:
        target = Target(server.query_url, server.store_url, (servers.VIRTUOSO_USER, servers.VIRTUOSO_PASSWORD),
                        timeout=QUERY_SECONDS)
        with measured(rows, BULK_LOAD, companies=n) as row:
            report = virtuoso_bulk.bulk_load(project.kg_dir, target,
                                             virtuoso_bulk.Bulk(f"{servers.HOST}:{server.sql_port}", loaders=loaders))
            row["triples"] = report.sent_triples
            row["graphs"] = len(report.graphs)
            row["note"] = (f"{loaders} loaders, {buffers:,} buffers, {memory_gb} GB cap; read export + ld_add + "
                           "rdf_loader_run + checkpoint + counts read back")
        if not report.ok:
            row["note"] = f"failed: {report.error or f'{len(report.mismatched)} graph(s) with other counts'}"
            return
        server = _queries(rows, project, n, measured, server, start)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _queries(rows: list[dict], project: Project, n: int, measured, server: servers.Server, start) -> servers.Server:
    """Every stored query on the current graphs, timed; the server restarted after a query that ended it."""
    times, failed, restarts = {}, {}, []
    # rdflib logs a traceback for each literal it cannot convert (Virtuoso's xsd:duration values): thousands
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    with measured(rows, QUERIES, companies=n) as row:
        for q in queries.load_all(project.queries_dir):
            if q.history:
                continue
            started = time.perf_counter()
            try:
                queries.run_endpoint(server.query_url, q, timeout=QUERY_SECONDS + 60)
            except Exception as error:  # noqa: BLE001 - a query the store cannot run is reported, not fatal
                failed[q.name] = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
                if _ended(server):
                    failed[q.name] = f"ended the server (exit {server.stop()}): {failed[q.name]}"
                    restarted = time.perf_counter()
                    server = start()
                    restarts.append(time.perf_counter() - restarted)
                continue
            times[q.name] = time.perf_counter() - started
        if times:
            row["median_query_s"] = round(statistics.median(times.values()), 3)
            row["max_query"] = max(times, key=times.get) + f" {max(times.values()):.2f} s"
    row["per_query_s"] = {name: round(t, 3) for name, t in times.items()}
    row["note"] = f"{len(times)} queries (history ones skipped), slowest {row.get('max_query', '-')}"
    if restarts:
        row["note"] += f"; {len(restarts)} restart(s) of the server: {sum(restarts):.1f} s of the wall"
    if failed:
        row["failed"] = failed
        row["note"] += f"; {len(failed)} failed: " + ", ".join(failed)
    return server


def _ended(server: servers.Server, grace: float = 5) -> bool:
    """Whether the server died of the query: a crash closes the connection a moment before the process exits."""
    try:
        server.process.wait(grace)
    except subprocess.TimeoutExpired:
        return False
    return True
