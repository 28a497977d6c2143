"""`privacy-kg serve`: an Oxigraph server on 127.0.0.1 holding the export, until told to stop."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from privacy_kg import disk_store
from privacy_kg.atomic_export import reading
from privacy_kg.load import LOADED, UNCHANGED, LoadError, Target, load
from privacy_kg.owned_folders import FolderError
from privacy_kg.servers import Server, check_same_version, start_oxigraph
from privacy_kg.store import export_files


@contextmanager
def serving(kg_dir: Path, port: int = 0, location: Path | None = None, extra: Sequence[Path] = ()) -> Iterator[tuple[Server, str]]:
    """Start the server holding the export and yield it with a line saying what was loaded; stop it on exit.
    In memory, the export is loaded through the Graph Store Protocol. With `location`, the on-disk store
    there (the one `query --store` uses, disk_store) is synced first with pyoxigraph and closed, then the
    Oxigraph server (the same 0.5 version: same RocksDB format) opens it; only a folder this project created
    is used (FolderError else), and the store is kept between runs."""
    if location is None:
        if extra:
            raise FolderError("--extra-kg needs --store: the in-memory server holds kg/ only")
        server = start_oxigraph(port)
        try:
            report = load(kg_dir, Target(server.query_url, server.store_url))
            if not report.ok:
                raise LoadError(report.error or "the server's triple counts differ from the export")
            yield server, (f"{len(report.graphs)} graphs ({sum(g.triples for g in report.graphs):,} triples): "
                           f"{len(report.named(LOADED))} loaded, {len(report.named(UNCHANGED))} unchanged in {report.seconds:.2f} s")
        finally:
            server.stop()
        return
    check_same_version()
    with reading(kg_dir, *extra):
        synced = disk_store.sync(location, export_files(kg_dir, extra))
    server = start_oxigraph(port, location)
    try:
        yield server, f"store {location}: {synced.summary()}"
    finally:
        server.stop()


STOP = threading.Event()  # set by SIGINT / SIGTERM: a stop asked for is never lost, even if swallowed


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Handle SIGTERM and SIGINT (Ctrl-C) by recording the stop and raising KeyboardInterrupt, so that the
    server is stopped on the way out. Installed before the server is spawned: a signal at any moment of
    the start-up stops it, and one whose KeyboardInterrupt was swallowed on the way is still seen by wait()."""
    STOP.clear()
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def wait(server: Server, tick: float = 0.2) -> bool:
    """Block until SIGTERM or Ctrl-C (SIGINT): True; or until the server exits by itself: False. Polls
    rather than blocking in waitpid: a signal that lands just before a blocking wait would be noticed
    only when the server exits, i.e. never."""
    try:
        while server.running():
            if STOP.is_set():
                return True
            time.sleep(tick)
    except KeyboardInterrupt:
        return True
    return STOP.is_set()


def _interrupt(_signum, _frame) -> None:
    STOP.set()
    raise KeyboardInterrupt
