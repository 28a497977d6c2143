"""`privacy-kg serve`: a real Oxigraph server on 127.0.0.1 holding the export, stopped cleanly by SIGTERM
or Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
import requests

from privacy_kg.servers import HOST
from store_helpers import cli, copy_export, export_counts, server_counts


@pytest.fixture
def project(tmp_path):
    return copy_export(tmp_path / "project")


class Serving:
    """`privacy-kg serve` as a process of its own, its output read line by line as it comes."""

    def __init__(self, project, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "privacy_kg", "serve", "--port", "0", "--root", str(project.root), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True)  # a process group of its own, like a command in a terminal
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put("")

    def endpoint(self, timeout: float = 60) -> str:
        """The SPARQL endpoint, once the export is loaded (the line after it says so)."""
        endpoint = None
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                line = ""
            self.stdout.append(line)
            if line.startswith("SPARQL endpoint:"):
                endpoint = line.split(":", 1)[1].strip()
            if "stops the server" in line and endpoint:
                return endpoint
            if not line:
                self.process.kill()
                pytest.fail(f"serve printed no endpoint: {''.join(self.stdout)} {self.process.stderr.read()}")

    def stop(self, sig: int = signal.SIGTERM, group: bool = False) -> tuple[int, str, str]:
        """Send `sig` to the command (or to its whole process group, as Ctrl-C in a terminal does);
        returns the exit code, all of stdout, and stderr."""
        if group:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        while not self.lines.empty():
            self.stdout.append(self.lines.get())
        return code, "".join(self.stdout), self.process.stderr.read()


@pytest.mark.parametrize("stop, group", [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
                         ids=["SIGTERM", "SIGINT", "Ctrl-C"])
def test_serve_holds_the_export_and_stops_cleanly(project, stop, group):
    serving = Serving(project)
    endpoint = serving.endpoint()
    try:
        assert endpoint.startswith(f"http://{HOST}:") and endpoint.endswith("/query")
        assert server_counts(SimpleNamespace(query_url=endpoint)) == export_counts(project)
        query = cli("query", "third-party-sharing", "--endpoint", endpoint, "--format", "csv", "--root", str(project.root))
        assert query.exit_code == 0 and len(query.stdout.splitlines()) > 1, query.output
    finally:
        code, stdout, stderr = serving.stop(stop, group)
    assert code == 0, stderr
    assert "server stopped." in stdout
    with pytest.raises(requests.ConnectionError):  # the Oxigraph server went with it
        requests.get(endpoint, params={"query": "ASK {}"}, timeout=5)


def test_a_killed_serve_leaves_no_server_behind(project):
    """Regression: SIGKILL of the command (no cleanup possible) used to leave an orphan Oxigraph server."""
    serving = Serving(project)
    endpoint = serving.endpoint()
    serving.stop(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(endpoint, params={"query": "ASK {}"}, timeout=1)
        except requests.ConnectionError:
            return
        time.sleep(0.1)
    pytest.fail(f"{endpoint} still answers after its `privacy-kg serve` was killed")


def test_serve_keeps_an_on_disk_store_between_runs_and_shares_it_with_query(project, tmp_path):
    """`serve --store` syncs the folder with pyoxigraph, closes it and runs the Oxigraph server on it; the
    next run finds it in step and changes nothing; `query --store` uses the same folder once the server
    has stopped, and is refused while it runs (RocksDB's lock)."""
    store = tmp_path / "store"
    graphs = len(export_counts(project))
    runs = []
    for _ in range(2):
        serving = Serving(project, "--store", str(store))
        endpoint = serving.endpoint()
        assert server_counts(SimpleNamespace(query_url=endpoint)) == export_counts(project)
        if not runs:
            busy = cli("query", "third-party-sharing", "--root", str(project.root), "--store", str(store))
            assert busy.exit_code == 2 and "open in another process" in " ".join(busy.stderr.split())
        code, stdout, stderr = serving.stop()
        assert code == 0, stderr
        runs.append(stdout)
    assert f"{graphs} graphs loaded (full fill)" in runs[0]
    assert f"{graphs} graphs: 0 replaced, 0 dropped, {graphs} unchanged" in runs[1]
    args = ["query", "third-party-sharing", "--format", "csv", "--root", str(project.root)]
    shared, memory = cli(*args, "--store", str(store)), cli(*args)
    assert shared.exit_code == 0 and shared.stdout == memory.stdout, shared.output


def test_serve_store_syncs_one_changed_company_only(project, tmp_path):
    store = tmp_path / "store"
    # (a query of the current versions: one reading kg/history/ would put the earlier versions in the store too)
    assert cli("query", "third-party-sharing", "--root", str(project.root), "--store", str(store)).exit_code == 0
    changed = project.kg_dir / "quads" / "voipcom.nq"
    changed.write_text("".join(changed.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
    serving = Serving(project, "--store", str(store))
    endpoint = serving.endpoint()
    try:
        assert server_counts(SimpleNamespace(query_url=endpoint)) == export_counts(project)
    finally:
        code, stdout, stderr = serving.stop()
    graphs = len(export_counts(project))
    assert code == 0 and f"{graphs} graphs: 1 replaced, 0 dropped, {graphs - 1} unchanged" in stdout, stdout + stderr


def test_extra_kg_needs_store(project):
    result = cli("serve", "--port", "0", "--root", str(project.root), "--extra-kg", str(project.kg_dir))
    assert result.exit_code == 2 and "--extra-kg needs --store" in result.stderr


def test_serve_on_a_port_in_use_exits_2(project):
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", "--port", str(port), "--root", str(project.root))
    assert result.exit_code == 2
    assert f"port {port} is in use on {HOST}" in result.stderr


def test_serve_without_export_exits_2(tmp_path):
    result = cli("serve", "--port", "0", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "run `privacy-kg build` first" in result.stderr


def test_a_server_is_seen_to_exit_while_popen_holds_its_reaping_lock(tmp_path):
    """Regression: Ctrl-C landing inside Popen.poll can leave Popen's reaping lock held, and `serve` then
    waited forever for a server that had already stopped. Server.running must not depend on that lock."""
    from privacy_kg.servers import start_oxigraph

    server = start_oxigraph(folder=tmp_path / "oxigraph")
    with server.process._waitpid_lock:  # as a KeyboardInterrupt inside poll() leaves it
        os.kill(server.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while server.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not server.running()
    server.stop()
    assert server.process.returncode is not None
