"""Where the benchmark's build and validate run (`--executor`): `local`, the CLI's process pool of --jobs
workers, or `dask-local`, a dask.distributed LocalCluster the benchmark starts (--jobs worker processes of one
thread each, 127.0.0.1 only) and hands to build and validate as `dask://HOST:PORT`, as the CLI's
`--executor` would; and the comparison of the two (`--compare-executors`): dask's overhead."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from privacy_kg.executors import LOCAL, WORKER_CONFIG

DASK_LOCAL = "dask-local"
EXECUTORS = (LOCAL, DASK_LOCAL)
WARM = ("privacy_kg.build", "privacy_kg.validate")  # what a long-running cluster's workers have imported already
OVERHEAD = "dask overhead: build + validate wall, dask-local / local"
TARGET = 1.15  # issue 19: dask LocalCluster within 15% of the local pool's wall time


def other(executor: str) -> str:
    return DASK_LOCAL if executor == LOCAL else LOCAL


@contextmanager
def executor_spec(executor: str, jobs: int, rows: list[dict], n: int, measured) -> Iterator[str]:
    """The --executor value for privacy_kg.executors.open_executor: `local`, or the address of a LocalCluster
    started here (its start is a row of its own, not part of any stage) and closed on leaving."""
    if executor == LOCAL:
        yield LOCAL
        return
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise SystemExit("--executor dask-local needs dask.distributed: pip install -e '.[bench]'") from None
    with measured(rows, f"{DASK_LOCAL}: LocalCluster start", companies=n, executor=DASK_LOCAL) as row:
        with warnings.catch_warnings():  # its HTTP server (on 127.0.0.1) takes another port when 8787 is taken
            warnings.filterwarnings("ignore", message="Port 8787 is already in use")
            with dask.config.set(WORKER_CONFIG):
                cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
        with Client(cluster, set_as_default=False) as client:
            for module in WARM:
                client.run(importlib.import_module, module)
        row["note"] = (f"{jobs} worker processes x 1 thread, dask's profiler off, scheduler in this process; workers import "
                       f"{', '.join(WARM)} here, not in build: not a pipeline stage")
    try:
        yield cluster.scheduler_address.replace("tcp://", "dask://")
    finally:
        cluster.close()


def overhead(rows: list[dict], n: int, stages: tuple[str, ...]) -> None:
    """The ratio of dask-local's build + validate wall time to the local pool's, from the rows of both runs."""
    walls = {e: {s: next(r["wall_s"] for r in rows if r.get("executor") == e and r["stage"].endswith(s)) for s in stages}
             for e in EXECUTORS}
    total = {e: sum(walls[e].values()) for e in EXECUTORS}
    ratio = total[DASK_LOCAL] / total[LOCAL]
    parts = ", ".join(f"{s.split()[0]} x{walls[DASK_LOCAL][s] / walls[LOCAL][s]:.2f}" for s in stages)
    rows.append({"stage": OVERHEAD, "companies": n, "ratio": round(ratio, 3),
                 "dask_wall_s": round(total[DASK_LOCAL], 3), "local_wall_s": round(total[LOCAL], 3),
                 "note": f"{parts}; target <= {TARGET} ({'met' if ratio <= TARGET else 'missed'})"})
