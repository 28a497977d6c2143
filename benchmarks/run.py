"""The scale benchmark: every stage of the pipeline on N synthetic companies, against the naive baselines.

    python -m benchmarks.run                      # N = 10, 100, 1000, 10000
    python -m benchmarks.run -n 100 --baselines 0 # CI: N = 100, no naive baselines (and again with --executor dask-local)
    python -m benchmarks.run -n 10000 -n 100000 --executor dask-local --compare-executors --virtuoso --baselines 0
                                                  # the full run to 100,000 companies (issue 19)
    python -m benchmarks.run -n 10000 --resume --work DIR ...
                                                  # a run that can span sessions: run the same command again
                                                  # after it was killed, and it goes on where it stopped

Per N: a synthetic project (benchmarks/synthetic.py) in --work; then the stages, each timed for wall
time, CPU time (this process and its workers), peak RSS (process tree, sampled) and triples/s:
  build      `privacy-kg build` as a whole (per-company work on --executor: `local`, a process pool of --jobs
             workers, or `dask-local`, a dask.distributed LocalCluster of --jobs one-thread worker processes on
             127.0.0.1 that the benchmark starts and stops: benchmarks/cluster.py), and inside it, from the
             workers' CPU clocks: map (load + check + map), closure, export
  write      staged files renamed into kg/ (the merged Turtle and N-Quads are assembled in build)
  validate   `privacy-kg validate` (SHACL + consistency per company, on --executor)
  compare    with --compare-executors: build and validate again on the other executor, and dask's overhead
             (wall of dask-local / local, build + validate; the target: within 15%)
  reference  Oxigraph's bulk load of kg/quads/ into an on-disk store: the yardstick (x_load = 1)
  load       the embedded store as `privacy-kg query` opens it (pyoxigraph, in memory); skipped, with a row
             that says so, when it would take more than 70% of the machine's memory (about 520 bytes a quad)
  queries    every stored query on that store (each timed; median and max reported)
  incremental one company's clauses changed: build (incremental) + write + validate it + reload its graph
  on-disk    the on-disk store (`--store`, privacy_kg.disk_store): first fill, every stored query (median
             ratio to the in-memory store), one company changed: rebuilt, validated, store synced
             (benchmarks/disk_store.py; it runs alone on a built project too)
  Virtuoso   with --virtuoso: a hermetic Virtuoso, `load --bulk` of the export (counts verified), every stored
             query on its endpoint (benchmarks/virtuoso.py); skipped with a message without virtuoso-t
  end to end the sum of build, write, validate, load and queries (the reference is not part of it); and on
             disk: build, write, validate, the on-disk store's first fill and its queries
With --resume (and the same --work), each group of stages that finished is kept in --work/n<N>.checkpoint.json
and not run again: generate, build (+ write), validate, compare: build, compare: validate, reference, in
memory, on disk: fill, on disk: queries, on disk: one company changed, Virtuoso (benchmarks/checkpoint.py).
and, where they finish within --baseline-timeout seconds and N <= --baselines, the naive runs on the whole
graph: pyshacl, owlrl, rdflib SPARQL (every stored query), with the ratio to the pipeline's stage.
and a projection to 1,000,000 policies on 64 cores from the per-company CPU costs of build and validate and
the stores' load rates (benchmarks/projection.py).
Results: benchmarks/results/<timestamp>-n<N>.json and a CSV of all rows, plus a printed table."""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psutil
import pyoxigraph as ox

from benchmarks import cluster, disk_store, virtuoso
from benchmarks.checkpoint import Checkpoint
from benchmarks.projection import projection, text as projection_text
from benchmarks.synthetic import make_project
from privacy_kg import build as building, queries, store as stores, validate as validation
from privacy_kg.executors import LOCAL, open_executor
from privacy_kg.project import Project

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE_LOAD = "reference: Oxigraph bulk load, on disk"
BUILD, VALIDATE = "build (map + closure + export)", "validate (SHACL + consistency)"
MEMORY_LOAD, MEMORY_QUERIES = "load (embedded store, in memory)", "queries (all stored, embedded store)"
PIPELINE = (BUILD, "write kg/", VALIDATE, MEMORY_LOAD, MEMORY_QUERIES)
END_TO_END = {"end to end: build, write, validate, load, queries": PIPELINE,
              "end to end, on disk: build, write, validate, first fill, queries on disk":
                  (BUILD, "write kg/", VALIDATE, disk_store.FIRST_FILL, disk_store.DISK_QUERIES)}
MEMORY_BYTES_PER_QUAD = 520  # the in-memory store's peak while querying, measured at N = 1,000 (2.1 GB, 4.24M quads)
MEMORY_SHARE = 0.7  # of the machine's memory, at most, for it
COMPARE = "compare: "  # the other executor's build and validate (--compare-executors): not in the totals
NOT_STAGES = ("generate", "baseline", "end to end", cluster.DASK_LOCAL, cluster.OVERHEAD)  # no x_load
DEFAULT_N = (10, 100, 1000, 10000)


SAMPLE_S, CHILDREN_S = 0.05, 1.0  # RSS sampled every 50 ms; the process tree listed again every second


@contextmanager
def measured(rows: list[dict], name: str, triples: int | None = None, **extra):
    """Wall, CPU (the process tree: a LocalCluster's workers live on) and peak RSS of the process tree during
    the block; client_cpu_s: this process's own CPU (threads included), less the RSS sampler's own."""
    me = psutil.Process()
    peak, sampler_cpu = [0], [0.0]
    done = threading.Event()

    def sample():
        # listing the tree scans every process of the machine (psutil reads each /proc/<pid>/stat): every 50 ms
        # it took 12% of a core, which the client's CPU then counted; the tree is listed once a second instead
        children, listed = [], 0.0
        while not done.is_set():
            if time.monotonic() - listed >= CHILDREN_S:
                children, listed = me.children(recursive=True), time.monotonic()
            total = 0
            for process in (me, *children):
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total)
            done.wait(SAMPLE_S)
        sampler_cpu[0] = time.thread_time()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu0, own0 = _cpu(), _own_cpu()
    wall0 = time.perf_counter()
    row = {"stage": name, **extra}
    try:
        yield row
    finally:
        wall = time.perf_counter() - wall0
        done.set()
        sampler.join()
        own = _own_cpu() - own0 - sampler_cpu[0]
        row.update(wall_s=round(wall, 3), cpu_s=round(_cpu() - cpu0 - sampler_cpu[0], 3), client_cpu_s=round(own, 3),
                   peak_rss_mb=round(peak[0] / 2**20, 1))
        n = row.get("triples", triples)
        if n:
            row["triples"] = n
            row["triples_per_s"] = round(n / wall) if wall else None
        rows.append(row)


def _cpu() -> float:
    """This process, its reaped children, and the live ones (with what they reaped): a process that exits
    within a block moves from the live sum to RUSAGE_CHILDREN, so differences stay right."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
        except psutil.Error:
            continue
        live += t.user + t.system + t.children_user + t.children_system
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime + live


def _own_cpu() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    return s.ru_utime + s.ru_stime


# -- naive baselines, each in a child process with a time limit --------------------------------------

def _baseline_pyshacl(kg: str) -> None:
    from rdflib import Graph
    data = Graph()
    for folder in ("companies", "inferred"):
        for f in sorted(Path(kg, folder).glob("*.ttl")):
            data.parse(f)
    validation.shacl(data, Graph().parse(Path(kg).parent / "ontology" / "shapes.ttl"))


def _baseline_owlrl(kg: str) -> None:
    from rdflib import Graph
    from privacy_kg.reason import _expand
    data = Graph().parse(Path(kg).parent / "ontology" / "privacy-kg.ttl")
    for f in sorted(Path(kg, "companies").glob("*.ttl")):
        data.parse(f)
    _expand(data)


def _baseline_rdflib_sparql(kg: str) -> None:
    from rdflib import Dataset
    dataset = Dataset()
    for path in building.quad_files(Path(kg)):
        dataset.parse(path, format="nquads")
    for q in queries.load_all(Path(kg).parent / "queries"):
        queries.run_rdflib(dataset, q)


BASELINES = {"pyshacl whole graph": (_baseline_pyshacl, "validate"), "owlrl whole graph": (_baseline_owlrl, "closure"),
             "rdflib SPARQL, all queries": (_baseline_rdflib_sparql, "queries")}


def run_baseline(rows: list[dict], name: str, fn, kg: Path, timeout: float) -> None:
    with measured(rows, f"baseline: {name}") as row:
        process = mp.get_context("fork").Process(target=fn, args=(str(kg),))
        process.start()
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()
            row["note"] = f"did not finish in {timeout:.0f} s"
        elif process.exitcode:
            row["note"] = f"failed (exit {process.exitcode})"


def _failed(row: dict) -> bool:
    return row.get("note", "").startswith("failed")


def _ratio(x: float, lower_bound: bool) -> float | str:
    return f">= {x:.1f}" if lower_bound else round(x, 1)


# -- one N -------------------------------------------------------------------------------------------

def run_n(n: int, work: Path, jobs: int, baselines: int, timeout: float, seed: int, executor: str = LOCAL,
          compare: bool = False, on_virtuoso: bool = False, virtuoso_gb: float = virtuoso.MEMORY_GB,
          resume: bool = False) -> list[dict]:
    """Every stage for N companies, in groups (benchmarks/checkpoint.py): with `resume`, the groups an earlier
    run in the same --work finished are not run again (their rows are kept)."""
    rows: list[dict] = []
    root = work / f"n{n}"
    done = Checkpoint(work / f"n{n}.checkpoint.json", resume)
    project = Project(root)

    def generate() -> None:
        with measured(rows, "generate synthetic corpus", companies=n):
            make_project(root, n, seed)
        shutil.copytree(Path(__file__).resolve().parents[1] / "queries", root / "queries")

    def build(on: str, prefix: str = "") -> None:
        with cluster.executor_spec(on, jobs, rows, n, measured) as spec:
            result, outputs = _build(rows, project, spec, jobs, n, on, prefix)
        if prefix:  # the same work on the other executor: kg/ is rebuilt byte for byte, so it is not written again
            result.outputs.discard()
            return
        triples, build_wall = rows[-1]["triples"], rows[-1]["wall_s"]
        cpu = {k: sum(c.seconds.get(k, 0) for c in outputs) for k in ("map", "closure", "export")}
        total_cpu = sum(cpu.values()) or 1
        for k, v in cpu.items():  # the stages inside the build: workers' CPU, wall as their share of the build
            rows.append({"stage": k, "companies": n, "executor": on, "cpu_s": round(v, 3),
                         "wall_s": round(build_wall * v / total_cpu, 3), "triples": triples,
                         "triples_per_s": round(triples / (build_wall * v / total_cpu)) if v else None,
                         "note": "inside build: workers' CPU; wall = its share of the build's wall time"})
        with measured(rows, "write kg/", triples, companies=n):
            building.write(project, result)

    def validate(on: str, prefix: str = "") -> None:
        with cluster.executor_spec(on, jobs, rows, n, measured) as spec:
            _validate(rows, project, spec, jobs, n, on, _row(rows, BUILD)["triples"], prefix)
        if prefix:
            cluster.overhead(rows, n, (BUILD, VALIDATE))

    def reference() -> None:
        db = root / "store"
        shutil.rmtree(db, ignore_errors=True)
        with measured(rows, REFERENCE_LOAD, companies=n) as row:
            # in a process of its own, so that RocksDB's memory is not counted in the stages after it
            with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as pool:
                row["triples"] = pool.submit(_triples_loaded, project.kg_dir, db).result()
            row["note"] = "the reference (x_load = 1): Oxigraph's own load; not a pipeline stage"
        shutil.rmtree(db, ignore_errors=True)

    second = cluster.other(executor)
    done.run(rows, "generate", generate)
    done.run(rows, "build", lambda: build(executor))
    done.run(rows, "validate", lambda: validate(executor))
    if compare:
        done.run(rows, "compare: build", lambda: build(second, COMPARE))
        done.run(rows, "compare: validate", lambda: validate(second, COMPARE))
    done.run(rows, "reference", reference)
    quads = _row(rows, REFERENCE_LOAD)["triples"]
    done.run(rows, "in memory", lambda: _in_memory(rows, project, n, quads))
    memory = _row(rows, MEMORY_QUERIES) or {}
    done.run(rows, "on disk: fill", lambda: disk_store.fill(rows, project, n, measured, quads))
    done.run(rows, "on disk: queries", lambda: disk_store.query_all(rows, project, n, measured, memory.get("per_query_s")))
    done.run(rows, "on disk: one company changed", lambda: disk_store.changed(rows, project, n, measured))
    if on_virtuoso:
        done.run(rows, "Virtuoso", lambda: virtuoso.stages(rows, project, n, measured, loaders=jobs, memory_gb=virtuoso_gb))
    for name, stages in END_TO_END.items():
        parts = [_row(rows, s) for s in stages]
        if all(r and "wall_s" in r for r in parts):
            rows.append({"stage": name, "companies": n, "triples": parts[0]["triples"],
                         "wall_s": round(sum(r["wall_s"] for r in parts), 3), "cpu_s": round(sum(r["cpu_s"] for r in parts), 3),
                         "peak_rss_mb": max(r["peak_rss_mb"] for r in parts)})
    load_wall = _row(rows, REFERENCE_LOAD)["wall_s"]
    for row in rows:
        if row.get("wall_s") and load_wall and not row["stage"].startswith(NOT_STAGES):
            row["x_load"] = round(row["wall_s"] / load_wall, 2)
    if n <= baselines:
        for name, (fn, stage) in BASELINES.items():
            run_baseline(rows, name, fn, project.kg_dir, timeout)
            ours = next((r for r in rows if r["stage"].startswith(stage)), None)
            if ours and not _failed(rows[-1]):
                rows[-1]["ratio_to_pipeline"] = _ratio(rows[-1]["wall_s"] / ours["wall_s"], "note" in rows[-1])
        naive = [r for r in rows if r["stage"].startswith("baseline")]
        if naive and not any(_failed(r) for r in naive):  # a run cut at the time limit gives a lower bound
            pipeline = sum(r["wall_s"] for r in rows if r["stage"] in PIPELINE)
            rows.append({"stage": "naive total / pipeline total", "companies": n,
                         "ratio": _ratio(sum(r["wall_s"] for r in naive) / pipeline, any("note" in r for r in naive))})
    for row in rows:
        row.setdefault("companies", n)
    done.forget()
    return rows


def _row(rows: list[dict], stage: str) -> dict | None:
    """The first row of a stage (the primary executor's, before a comparison's)."""
    return next((r for r in rows if r["stage"] == stage), None)


def _in_memory(rows: list[dict], project: Project, n: int, quads: int) -> None:
    """The in-memory store as `privacy-kg query` opens it, every stored query on it, one company changed;
    skipped (a row that says so) when the store would not fit in this machine's memory."""
    need = quads * MEMORY_BYTES_PER_QUAD
    if need > MEMORY_SHARE * psutil.virtual_memory().total:
        rows.append({"stage": MEMORY_LOAD, "companies": n, "triples": quads,
                     "note": f"skipped: about {need / 2**30:.0f} GiB for {quads:,} quads in memory, more than "
                             f"{MEMORY_SHARE:.0%} of this machine's; the on-disk store's rows stand for it"})
        return
    with measured(rows, MEMORY_LOAD, companies=n) as row:
        store = stores.open_store(project.kg_dir)  # what `privacy-kg query` does
        row["triples"] = len(store)
    times = []
    with measured(rows, MEMORY_QUERIES, quads, companies=n) as row:
        for q in queries.load_all(project.queries_dir):
            t = time.perf_counter()
            queries.run_embedded(store, q)
            times.append((q.name, time.perf_counter() - t))
        row["median_query_s"] = round(statistics.median(t for _, t in times), 3)
        row["max_query"] = max(times, key=lambda x: x[1])[0] + f" {max(t for _, t in times):.2f} s"
    rows[-1]["per_query_s"] = {name: round(t, 3) for name, t in times}
    _incremental(rows, project, store, n)


def _build(rows: list[dict], project: Project, spec: str, jobs: int, n: int, executor: str, prefix: str = ""):
    """`privacy-kg build --full --executor SPEC` without the write; the result and each company's output."""
    outputs: list = []
    with measured(rows, prefix + BUILD, companies=n, executor=executor) as row:
        # the pool inside the measure, as the CLI opens it: a local pool's workers' CPU is counted when they exit
        with open_executor(spec, jobs) as pool:
            result = building.build(project, pool, incremental=False, progress=outputs.append)
        row["triples"] = sum(c.triples for c in outputs)
    return result, outputs


def _validate(rows: list[dict], project: Project, spec: str, jobs: int, n: int, executor: str, triples: int,
              prefix: str = "") -> None:
    """`privacy-kg validate --executor SPEC`: per company, then the report written into kg/."""
    with measured(rows, prefix + VALIDATE, triples, companies=n, executor=executor):
        with open_executor(spec, jobs) as pool:
            checked = validation.validate(project, pool, whole=False)
        validation.write(project.kg_dir, checked)


def project_to_a_million(rows: list[dict], n: int, executor: str) -> dict:
    return projection(rows, n, {"build": BUILD, "validate": VALIDATE}, {
        "on-disk store (--store), first fill": disk_store.FIRST_FILL, "Oxigraph bulk load (reference)": REFERENCE_LOAD,
        "Virtuoso load --bulk": virtuoso.BULK_LOAD}, REFERENCE_LOAD, executor)


def _triples_loaded(kg_dir: Path, db: Path) -> int:
    store = ox.Store(str(db))
    stores.bulk_load(store, building.quad_files(kg_dir))
    return len(store)


def _incremental(rows: list[dict], project: Project, store, n: int) -> None:
    """One company edited: rebuild only it, validate it, reload its graph."""
    slug = sorted(p.name for p in project.corpus_dir.iterdir())[n // 2]
    disk_store.refresh(project)
    disk_store.edit(project, [slug], f"edited for the incremental benchmark {time.time_ns()}")
    with measured(rows, "incremental: 1 company rebuilt, validated, reloaded", companies=n) as row:
        result = building.build(project, None, incremental=True)
        row["rebuilt"] = len(result.rebuilt)
        row["note"] = f"of which {result.merge_seconds:.1f} s rewriting the merged privacy-kg.ttl"
        building.write(project, result)
        validation.validate_company(slug, project.kg_dir, project.ontology_dir)
        stores.replace_graph(store, f"https://w3id.org/privacy-kg/graph/{slug}", project.kg_dir / building.QUADS_DIR / f"{slug}.nq")


# -- output ------------------------------------------------------------------------------------------

COLUMNS = ["companies", "stage", "executor", "wall_s", "cpu_s", "peak_rss_mb", "triples", "triples_per_s", "x_load",
           "median_query_s", "ratio_to_pipeline", "ratio", "note"]


def table(rows: list[dict]) -> str:
    shown = [[str(r.get(c, "")) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(s[i]) for s in shown)) for i, c in enumerate(COLUMNS)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(COLUMNS), line(["-" * w for w in widths])] + [line(s) for s in shown])


def main() -> None:
    parser = argparse.ArgumentParser(description="privacy-kg scale benchmark (see the module docstring)")
    parser.add_argument("-n", type=int, action="append", help="companies (repeatable; default 10, 100, 1000, 10000)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "privacy-kg-bench")
    parser.add_argument("--baselines", type=int, default=100, help="run the naive baselines up to this N (0: never)")
    parser.add_argument("--baseline-timeout", type=float, default=900)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--resume", action="store_true",
                        help="keep the work folder, and skip the groups of stages an earlier run in it finished")
    parser.add_argument("--executor", choices=cluster.EXECUTORS, default=LOCAL,
                        help="where build and validate run: a local pool, or a LocalCluster of --jobs workers")
    parser.add_argument("--compare-executors", action="store_true",
                        help="also build and validate on the other executor; report dask's overhead")
    parser.add_argument("--virtuoso", action="store_true", help="bulk load the export into a hermetic Virtuoso, query it")
    parser.add_argument("--virtuoso-memory-gb", type=float, default=virtuoso.MEMORY_GB,
                        help="Virtuoso's address-space cap; half of it is its page cache (NumberOfBuffers)")
    args = parser.parse_args()
    machine = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
               "memory_gb": round(psutil.virtual_memory().total / 2**30, 1), "load_avg_at_start": os.getloadavg()}
    args.out.mkdir(parents=True, exist_ok=True)
    everything = []
    for n in args.n or DEFAULT_N:
        rows = run_n(n, args.work, args.jobs, args.baselines, args.baseline_timeout, args.seed, args.executor,
                     args.compare_executors, args.virtuoso, args.virtuoso_memory_gb, args.resume)
        everything += rows
        ahead = project_to_a_million(rows, n, args.executor)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        (args.out / f"{stamp}-n{n}.json").write_text(json.dumps({"machine": machine, "jobs": args.jobs, "executor": args.executor,
                                                                 "rows": rows, "projection": ahead}, indent=2) + "\n")
        print(f"\nN = {n} ({machine['cores']} cores, {args.jobs} workers, executor {args.executor})\n" + table(rows)
              + "\n\n" + projection_text(ahead), flush=True)
        if not (args.keep or args.resume):
            shutil.rmtree(args.work / f"n{n}", ignore_errors=True)
    with open(args.out / f"{time.strftime('%Y%m%dT%H%M%S')}-all.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(everything)


if __name__ == "__main__":
    main()
