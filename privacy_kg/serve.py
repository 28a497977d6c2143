"""`privacy-kg serve`: an Oxigraph server on 127.0.0.1 holding the export, until told to stop."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from privacy_kg.owned_folders import claim_store
from privacy_kg.load import LoadError, LoadReport, Target, load
from privacy_kg.servers import Server, start_oxigraph


@contextmanager
def serving(kg_dir: Path, port: int = 0, location: Path | None = None) -> Iterator[tuple[Server, LoadReport]]:
    """Start the server (in memory, or on disk at `location`), load the export into it through the Graph
    Store Protocol (so an on-disk store keeps unchanged graphs between runs), stop it on exit. Only a
    `location` this project created is used (owned_folders.claim_store: FolderError else)."""
    if location is not None:
        claim_store(location, "serve")
    server = start_oxigraph(port, location)
    try:
        report = load(kg_dir, Target(server.query_url, server.store_url))
        if not report.ok:
            raise LoadError(report.error or "the server's triple counts differ from the export")
        yield server, report
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
