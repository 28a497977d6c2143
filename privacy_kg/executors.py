"""Where per-company work runs: `local` (a process pool on this machine) or `dask://HOST:PORT` (the workers of
a dask.distributed scheduler, through the Client's concurrent.futures interface).

The work is the same functions either way (build_company, validate_company, import_policy): each reads its
inputs by path (corpus/, ontology/, mappings/, an OPP-115 folder), so a cluster's workers must see the
project at the same paths (a shared file system). build's workers write each company's files into the
staging folder beside kg/ and return only their description; the others ship their results back as bytes.
Only the client switches kg/ to the staged generation, atomically (atomic_export), so no worker ever writes
into kg/ and a lost worker cannot leave it half-written. Results come back in submission order, so the
output is byte-identical to the local pool's.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import islice

LOCAL = "local"
DASK = re.compile(r"^dask://(?P<address>[^/\s:]+:\d{1,5})/?$")
CONNECT_TIMEOUT = "10s"
# The dask configuration privacy-kg's workers should run with (the benchmark's and the tests' LocalCluster do;
# on a cluster: DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False in the workers' environment). dask's
# statistical profiler samples the worker's stacks every 10 ms, which costs this deep pure-Python work about
# 13% more CPU: a one-worker build of 150 synthetic companies, five interleaved runs each, took 44-49 s of CPU
# with it (mean 46.1), 40-45 s without (40.7); the local pool's worker 31-38 s (34.6).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


class ExecutorError(ValueError):
    """A bad --executor value, a missing library, or a scheduler that does not answer."""


def dask_address(spec: str) -> str | None:
    """`tcp://HOST:PORT` for `dask://HOST:PORT`, None for `local`; anything else is an ExecutorError."""
    if spec == LOCAL:
        return None
    match = DASK.match(spec)
    if not match:
        raise ExecutorError(f"--executor {spec!r} is neither 'local' nor 'dask://HOST:PORT' (a dask.distributed scheduler)")
    return "tcp://" + match["address"]


def chunksize(calls: int) -> int:
    """The calls `map` sends per task: up to 64, for about 64 tasks a run at least, so that a cluster's scheduler
    and a pool's pipes make one round trip per chunk, not per company, and the work still spreads evenly."""
    return max(1, min(64, calls // 64))


def _run_chunk(fn: Callable, args: list[tuple]) -> list:
    return [fn(*a) for a in args]


class ClusterExecutor(Executor):
    """The concurrent.futures interface on a dask Client, for work that streams through the client: `map` sends
    `chunksize` calls per task, as ProcessPoolExecutor does (dask's own executor ignores chunksize, and one task
    per company costs a scheduler round trip each), keeps at most AHEAD tasks per worker thread in flight, and
    lets each result go once it is yielded. dask's own executor keeps every future it made until it shuts
    down, so the workers held every result of a run: 9.4 GB of a 10,000-company build half-way through."""

    AHEAD = 2

    def __init__(self, client):
        self.client = client

    def submit(self, fn, /, *args, **kwargs) -> Future:
        done: Future = Future()
        done.set_running_or_notify_cancel()

        def settle(future) -> None:  # in a thread of the client's; the dask future goes with it
            try:
                done.set_result(future.result())
            except BaseException as error:  # noqa: BLE001 (the caller gets it from done.result())
                done.set_exception(error)

        self.client.submit(fn, *args, pure=False, **kwargs).add_done_callback(settle)
        return done

    def map(self, fn: Callable, *iterables: Iterable, timeout=None, chunksize: int = 1) -> Iterator:
        calls = zip(*iterables)
        chunks = iter(lambda: list(islice(calls, max(1, chunksize))), [])
        ahead = self.AHEAD * max(1, sum(self.client.nthreads().values()))
        window: deque = deque()
        for chunk in chunks:
            window.append(self.client.submit(_run_chunk, fn, chunk, pure=False))
            if len(window) > ahead:
                yield from window.popleft().result(timeout)
        while window:
            yield from window.popleft().result(timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass  # the client is closed by open_executor


@contextmanager
def open_executor(spec: str, jobs: int) -> Iterator[Executor | None]:
    """The executor an --executor value names: a pool of `jobs` processes (None for one: work in this process),
    or a connection to a dask scheduler (its workers decide the parallelism; `jobs` is not used)."""
    address = dask_address(spec)
    if address is None:
        if jobs <= 1:
            yield None
            return
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield pool
        return
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("--executor dask://… needs dask.distributed: pip install -e '.[dask]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except OSError as error:
        raise ExecutorError(f"no dask scheduler answers at {spec} ({error}); start one with `dask scheduler` "
                            "and workers with `dask worker`") from None
    with client:
        yield ClusterExecutor(client)


@contextmanager
def joblib_backend(spec: str) -> Iterator[None]:
    """For work written with joblib (the tagger fits one classifier per label with joblib.Parallel): nothing
    for `local`, joblib's dask backend on the scheduler's workers for `dask://HOST:PORT`."""
    if dask_address(spec) is None:
        yield
        return
    from joblib import parallel_config

    with open_executor(spec, 0) as pool:
        with pool.client.as_current(), parallel_config(backend="dask"):
            yield
