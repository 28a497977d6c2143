"""SPARQL servers on 127.0.0.1, started and stopped from Python (recipes: ../shared/STORES.md).

- Oxigraph server (PyPI `oxigraph`): what `privacy-kg serve` runs, and the tests' first engine.
- Virtuoso open source (Debian `virtuoso-opensource`, installed by .ci/setup-system): a hermetic
  instance in a folder of its own, with its own ini and a new database, never the packaged
  /etc/virtuoso-opensource-7/virtuoso.ini (which listens on every interface). Its dba password is dba.

Both bind the loopback interface only, log to a file in their folder, and stop on SIGTERM."""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

HOST = "127.0.0.1"
VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class ServerError(RuntimeError):
    """A server could not be started; the message says why (with the end of its log)."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    query_path: str
    store_path: str
    folder: Path
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)
    sql_port: int | None = None  # Virtuoso's SQL port (isql), on HOST

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + self.query_path

    @property
    def store_url(self) -> str:
        return self.base + self.store_path

    @property
    def log(self) -> Path:
        return self.folder / "console.log"

    def running(self) -> bool:
        """Peeks with waitid(WNOWAIT), which leaves the exit status to Popen and takes no lock. Popen.poll
        would take Popen's reaping lock, and a Ctrl-C landing inside poll can leave that lock held; every
        later wait() then blocks forever (seen as a `serve` that never stops after Ctrl-C)."""
        if self.process.returncode is not None:
            return False
        try:
            if os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                return True
        except ChildProcessError:  # already reaped
            return False
        self.process.poll()  # reap it and record its exit code (a no-op if the lock is held)
        return False

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds; removes a temporary folder."""
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        return self.process.returncode

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"  # the PyPI package installs it in the environment's bin
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise ServerError("the `oxigraph` server is not installed: pip install oxigraph")
    return found


def check_same_version() -> None:
    """The `oxigraph` server opens the folders pyoxigraph writes: their versions must agree to the minor
    (0.5.x: the same RocksDB layout); ServerError otherwise."""
    import pyoxigraph

    found = subprocess.run([oxigraph_binary(), "--version"], capture_output=True, text=True).stdout.split()
    server = found[-1] if found else "unknown"
    if server.split(".")[:2] != pyoxigraph.__version__.split(".")[:2]:
        raise ServerError(f"the oxigraph server is {server} and pyoxigraph {pyoxigraph.__version__}: install the same "
                          f"minor version of both (pip install 'oxigraph=={pyoxigraph.__version__}')")


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def start_oxigraph(port: int = 0, location: Path | None = None, folder: Path | None = None, timeout: float = 30) -> Server:
    """An Oxigraph server on 127.0.0.1:port (0: a free port), in memory or on disk at `location`.
    Endpoints: /query (SPARQL), /update, /store (Graph Store Protocol)."""
    port = port or free_port()
    args = [oxigraph_binary(), "serve", "--bind", f"{HOST}:{port}"]
    if location is not None:
        Path(location).mkdir(parents=True, exist_ok=True)
        args += ["--location", str(location)]
    return _start("oxigraph", args, port, "/query", "/store", folder, timeout)


VIRTUOSO_INI = """\
; a hermetic Virtuoso instance written by privacy_kg.servers: relative paths, loopback ports only
[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {dirs_allowed}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}

[HTTPServer]
ServerPort = {host}:{http_port}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {query_seconds}
"""


def start_virtuoso(folder: Path | None = None, port: int = 0, timeout: float = 90,
                   dirs_allowed: tuple[Path, ...] = (), buffers: int = 10000, query_seconds: int = 120,
                   memory_limit: int | None = None) -> Server:
    """A new Virtuoso database in `folder` (default: a temporary folder, removed on stop), HTTP on
    127.0.0.1:port, SQL (isql) on 127.0.0.1:server.sql_port. Endpoints: /sparql (SPARQL),
    /sparql-graph-crud-auth (Graph Store Protocol, HTTP digest auth dba/dba). The bulk loader reads files
    in its own folder and in `dirs_allowed`. `buffers`: its page cache in 8 KB pages (Virtuoso's advice:
    about 85,000 per GB it may use); `query_seconds`: a SPARQL query's time limit; `memory_limit`: its
    address space in bytes (RLIMIT_AS), so that a query that makes it grow without bound ends the server (a
    restart on the same folder reopens the database) rather than exhausting a shared machine."""
    binary = virtuoso_binary()
    if binary is None:
        raise ServerError("virtuoso-t is not installed: run .ci/setup-system (Debian virtuoso-opensource)")
    port = port or free_port()
    tmp = None
    if folder is None:
        tmp = tempfile.TemporaryDirectory(prefix="privacy-kg-virtuoso-")
        folder = Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    sql_port = free_port()
    allowed = ", ".join([".", *(str(Path(d).resolve()) for d in dirs_allowed)])
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(host=HOST, sql_port=sql_port, http_port=port, dirs_allowed=allowed,
                                                               buffers=buffers, dirty_buffers=buffers * 3 // 5,
                                                               query_seconds=query_seconds))
    args = [binary, "+foreground", "+configfile", "virtuoso.ini"]
    server = _start("virtuoso", args, port, "/sparql", "/sparql-graph-crud-auth", folder, timeout, tmp, memory_limit)
    server.sql_port = sql_port
    return server


def _start(name: str, args: list[str], port: int, query_path: str, store_path: str, folder: Path | None,
           timeout: float, tmp: tempfile.TemporaryDirectory | None = None, memory_limit: int | None = None) -> Server:
    if folder is None:
        tmp = tempfile.TemporaryDirectory(prefix=f"privacy-kg-{name}-")
        folder = Path(tmp.name)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "console.log", "wb") as log:
        # the caller's process group, so Ctrl-C and group kills (CI timeouts) reach the server too
        process = subprocess.Popen(args, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   preexec_fn=functools.partial(_prepare_child, memory_limit))
    server = Server(name, process, port, query_path, store_path, folder, tmp)
    try:
        _wait_ready(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _prepare_child(memory_limit: int | None) -> None:
    """In the child, before exec: on Linux, ask for SIGTERM when the parent dies, even by SIGKILL, so a
    killed caller never leaves a server behind; cap its address space if asked."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))


def _wait_ready(server: Server, timeout: float) -> None:
    """Poll `ASK {}` until the server answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        if not server.running():
            raise ServerError(f"{server.name} exited with code {server.process.returncode} on start: {_tail(server.log)}")
        try:
            if requests.get(server.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"{server.name} did not answer on {server.query_url} within {timeout:.0f} s: {_tail(server.log)}")
        time.sleep(0.1)


def _tail(log: Path, lines: int = 5) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " / ".join(text[-lines:]) or "(empty log)"
