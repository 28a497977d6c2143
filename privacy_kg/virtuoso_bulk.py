"""`privacy-kg load --bulk`: an export too big for Graph Store PUTs, into Virtuoso through its bulk loader.

Virtuoso reads the files itself, from a folder its ini lists in `DirsAllowed`: kg/quads/ where the server
runs on this machine (the default), or the same files copied to the server (`--bulk-dir`, the folder's
path as the server sees it). The steps, in SQL through `isql-vt` on the server's SQL port (isql-vt exits 0
even when a statement fails: its output is read for `*** Error`):

1. every graph of the export, and every graph an earlier load recorded that the export no longer has
   (a removed company), is emptied (`DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id(…)`, without the
   transaction log, as the loader itself runs);
2. each file is registered with its graph (`ld_add`; the quads name their own graphs), after its earlier
   registration is removed so that it loads again;
3. `rdf_loader_run()` in --loaders parallel isql sessions, then `checkpoint`; a file the loader refused
   (`load_list.ll_error`) or left unloaded (not found: it records no error) stops the load, named;
4. the manifest graph (load.MANIFEST_GRAPH) records each graph's sha256 as the Graph Store load computes
   it, so that a later `privacy-kg load` sends only the graphs that changed since;
5. every graph's triple count is read back with SPARQL and compared with the export's, as `load` does.

The export is read as one generation (atomic_export.reading) until the server has loaded it. A load that
stops part-way is completed by running it again. isql-vt takes the password as an argument: other users
of the machine can see it in the process list while a step runs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from privacy_kg.atomic_export import reading
from privacy_kg.build import quad_files
from privacy_kg.disk_store import read_file
from privacy_kg.load import LOADED, REMOVED, Client, GraphStatus, LoadError, LoadReport, Target, canonical_body, read_back

ISQL = "isql-vt"
ROW = "privacy-kg-row:"  # marks the rows of a SELECT in isql's output


@dataclass
class Bulk:
    """How to reach Virtuoso's bulk loader."""

    isql: str  # HOST:PORT of the server's SQL port (1111 by default)
    server_dir: str | None = None  # the export's quads/ folder as the server sees it (None: this machine's path)
    loaders: int = 2  # parallel rdf_loader_run() sessions (about the server's cores)


@dataclass(frozen=True)
class ExportGraph:
    iri: str
    triples: int
    sha256: str  # of its canonical N-Triples: the hash load.GraphData gives


def export_digests(files: Sequence[Path]) -> tuple[dict[str, ExportGraph], dict[Path, tuple[str, ...]]]:
    """Each graph's triple count and hash, and each file's graphs, reading one file at a time (a graph in
    several files is read again from those files: their union)."""
    found: dict[str, ExportGraph] = {}
    holders: dict[str, list[Path]] = {}
    graphs_of: dict[Path, tuple[str, ...]] = {}
    for path in files:
        data = read_file(path, triples=True)
        graphs_of[path] = data.state.graphs
        for iri, lines in data.triples.items():
            holders.setdefault(iri, []).append(path)
            found[iri] = _digest(iri, lines)
    for iri, paths in holders.items():
        if len(paths) > 1:
            found[iri] = _digest(iri, [line for p in paths for line in read_file(p, triples=True).triples.get(iri, [])])
    return found, graphs_of


def _digest(iri: str, lines: list[str]) -> ExportGraph:
    body = canonical_body(line.encode("utf-8") for line in lines)
    return ExportGraph(iri, body.count(b"\n"), hashlib.sha256(body).hexdigest())


def bulk_load(kg_dir: Path, target: Target, bulk: Bulk) -> LoadReport:
    """Load the export with Virtuoso's bulk loader; LoadError when the server cannot be read before anything
    is changed, else a report per graph (report.error says why the load stopped)."""
    if not target.credentials:
        raise LoadError("the bulk loader needs the server's SQL account: set $PRIVACY_KG_USER and $PRIVACY_KG_PASSWORD")
    client = Client(target)
    started = time.perf_counter()
    with reading(kg_dir):  # the server reads the files: no switch of kg/ until it has
        files = quad_files(kg_dir)
        graphs, graphs_of = export_digests(files)
        client.check_access()
        recorded = client.manifest()
        _isql(bulk, target, "select 1;")  # the SQL port answers and takes the credentials
        removed = sorted(set(recorded) - set(graphs))  # a removed company: emptied, and gone from the manifest
        report = LoadReport([GraphStatus(iri, g.triples) for iri, g in sorted(graphs.items())] +
                            [GraphStatus(iri, 0) for iri in removed])
        folder = bulk.server_dir or str(files[0].parent.resolve())
        try:
            _isql(bulk, target, _prepare(sorted(graphs) + removed, folder, {f.name: graphs_of[f] for f in files}))
            _run_loaders(bulk, target)
            _isql(bulk, target, "checkpoint;")
            refused = _select(bulk, target, f"SELECT TOP 5 '{ROW}' || ll_file || ': ' || coalesce(ll_error, 'not loaded "
                                            f"(is the file there?)') FROM DB.DBA.load_list WHERE starts_with(ll_file, "
                                            f"{_sql(_within(folder))}) AND (ll_state <> 2 OR ll_error IS NOT NULL);")
            if refused:
                raise LoadError(f"Virtuoso's loader did not load {'; '.join(refused)}")
            for status in report.graphs:
                status.status = REMOVED if status.iri in removed else LOADED
            report.sent_triples = sum(g.triples for g in graphs.values())
            client.put_manifest({iri: g.sha256 for iri, g in graphs.items()})
        except LoadError as e:
            report.error = str(e)
    report.seconds = time.perf_counter() - started
    return read_back(client, report)


def _prepare(graphs: list[str], folder: str, files: dict[str, tuple[str, ...]]) -> str:
    """Empty the graphs, register each file (anew) with its graph."""
    lines = ["log_enable(3, 1);"]
    lines += [f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id({_sql(iri)});" for iri in graphs]
    lines.append(f"DELETE FROM DB.DBA.load_list WHERE starts_with(ll_file, {_sql(_within(folder))});")
    for name, held in sorted(files.items()):
        if held:  # (an empty file has nothing to load; a file's quads name their graphs, ld_add wants one)
            lines.append(f"ld_add({_sql(_within(folder) + name)}, {_sql(held[0])});")
    lines.append("commit work;")
    return "\n".join(lines) + "\n"


def _run_loaders(bulk: Bulk, target: Target) -> None:
    """rdf_loader_run() in `bulk.loaders` sessions at once: each takes the next registered file."""
    sessions = [_start(bulk, target, "rdf_loader_run();\n") for _ in range(max(1, bulk.loaders))]
    errors = [_error(*_finish(process)) for process in sessions]
    found = next((e for e in errors if e), None)
    if found:
        raise LoadError(f"rdf_loader_run() failed on {bulk.isql}: {found}")


def _select(bulk: Bulk, target: Target, sql: str) -> list[str]:
    return [line[len(ROW):].strip() for line in _isql(bulk, target, sql).splitlines() if line.startswith(ROW)]


def _isql(bulk: Bulk, target: Target, sql: str) -> str:
    output, code = _finish(_start(bulk, target, sql))
    error = _error(output, code)
    if error:
        raise LoadError(f"isql on {bulk.isql}: {error}")
    return output


def _start(bulk: Bulk, target: Target, sql: str) -> subprocess.Popen:
    """An isql session running `sql` (one statement per line), read from a file: a long script written
    to a pipe could block while isql's own output fills the other."""
    binary = shutil.which(ISQL)
    if binary is None:
        raise LoadError(f"{ISQL} is not installed (Debian virtuoso-opensource; .ci/setup-system)")
    user, password = target.credentials
    with tempfile.TemporaryFile("w+", encoding="utf-8") as script:
        script.write(sql)
        script.seek(0)
        return subprocess.Popen([binary, bulk.isql, user, password], stdin=script, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)


def _finish(process: subprocess.Popen) -> tuple[str, int]:
    output, _ = process.communicate()
    return output, process.returncode


def _error(output: str, code: int) -> str | None:
    """The first error isql printed (it exits 0 all the same), or a failure to connect."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("*** Error"):
            return " ".join(part.strip() for part in lines[i:i + 2])[:300]
    if code != 0 or "Connected to" not in output:
        return (output.strip().splitlines() or [f"exit code {code}"])[-1][:300]
    return None


def _within(folder: str) -> str:
    return folder.rstrip("/") + "/"


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
