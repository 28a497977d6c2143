"""The on-disk embedded store: pyoxigraph (RocksDB) in a folder of its own (`--store DIR`, e.g. local/store),
shared by `query`, `stats`, `report` and `serve`, and kept in step with the export folders (kg/ and each
--extra-kg) incrementally, so that a query after a one-company change does not reload the corpus.

The record (RECORD in the folder) lists, per export file, its size, mtime, inode and sha256, and the graphs
it loaded, as read from the file: nothing assumes one graph per file or a graph's name. A sync compares the
export files with the record:

- a file whose stat is recorded is not read (as git's index does); a changed stat with the same sha256 is
  unchanged;
- the files that changed, appeared or went, with every file sharing a graph with them (the ontology's two
  graphs are in kg/quads/ontology.nq and in each import's), form units; each unit is replaced in ONE
  `store.update()`, which is one RocksDB transaction: `DROP SILENT GRAPH` of every graph its files loaded
  or hold now, then `INSERT DATA` of their quads. A kill leaves each unit all old or all new;
- the record is written after the store, atomically: a kill in between leaves a record that is behind the
  store, and the next sync replaces those units again, which gives the same store (replacing is idempotent);
- a first fill, an unreadable record, or a change of more than BULK_SHARE of the export's bytes is a full
  fill with bulk_load (sorted files written straight into RocksDB; not transactional): the record says
  `filling` first, then the store is cleared and loaded, then the full record is written (and the store
  compacted). A kill before the record leaves `filling`, and the next open fills again before any query.

Only a folder this project created is used (owned_folders.claim_store). RocksDB lets one process open the
folder for writing: a running `serve --store DIR` (its Oxigraph server) holds it, and a sync then fails
with StoreInUse. Queries run on the folder reopened read-only, once synced (no background writes in a
forked query worker).

Blank node labels are scoped to a unit: INSERT DATA gives a unit's blank nodes new ids, the same for the
same label across the unit's files (concatenated, the export files are one N-Quads dataset)."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from privacy_kg.atomic_export import step
from privacy_kg.export import write_atomically
from privacy_kg.owned_folders import LEGACY_STAMP, FolderError, claim_store
from privacy_kg.store import ExportSyntaxError, bulk_load, not_nquads

RECORD = "privacy-kg-sync.json"
RECORD_VERSION = 1
FILLING, SYNCED = "filling", "synced"
DEFAULT_GRAPH = ""  # the key of the default graph in a file's graphs (exports put nothing there)
# A change of more than this share of the export's bytes is loaded with a full bulk fill, not unit by unit:
# at 1,000 companies (benchmarks/disk_store.py) a full fill (98 s, compaction included) costs about as much
# as replacing 340 companies in transactions (0.28 s each).
BULK_SHARE = 0.3
KEEP_PARSED = 64  # changed files kept parsed between finding the units and replacing them (the rest: read twice)
UNCHANGED, INCREMENTAL, FULL = "unchanged", "incremental", "full"


class StoreInUse(FolderError):
    """The store folder is ours, but another process has it open for writing."""


@dataclass(frozen=True)
class FileState:
    """What the record keeps of one export file."""

    size: int
    mtime_ns: int
    inode: int
    sha256: str
    graphs: tuple[str, ...]  # graph IRIs, DEFAULT_GRAPH for the default graph

    def same_stat(self, stat: os.stat_result) -> bool:
        return (self.size, self.mtime_ns, self.inode) == (stat.st_size, stat.st_mtime_ns, stat.st_ino)

    def as_json(self) -> dict:
        return {"size": self.size, "mtime_ns": self.mtime_ns, "inode": self.inode, "sha256": self.sha256,
                "graphs": list(self.graphs)}


@dataclass
class FileData:
    """An export file as read now: its state, and (when asked for) its triples by graph, as N-Triples lines."""

    state: FileState
    triples: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SyncReport:
    mode: str  # UNCHANGED, INCREMENTAL or FULL
    files: int
    graphs: int  # graphs the export files hold
    replaced: list[str]  # graphs replaced (INCREMENTAL) or loaded (FULL)
    dropped: list[str]  # graphs no export file holds any more
    units: int = 0  # transactions (INCREMENTAL)
    seconds: float = 0.0

    @property
    def unchanged(self) -> int:
        return self.graphs - len(set(self.replaced))

    def summary(self) -> str:
        if self.mode == FULL:
            return f"{self.graphs} graphs loaded (full fill) in {self.seconds:.2f} s"
        return (f"{self.graphs} graphs: {len(set(self.replaced))} replaced, {len(self.dropped)} dropped, "
                f"{self.unchanged} unchanged in {self.seconds:.2f} s")


def open_synced(folder: Path, files: Sequence[Path]) -> ox.Store:
    """The store in `folder`, in step with `files`, opened read-only for queries. The caller holds the
    export folders' read lock (atomic_export.reading) while this runs."""
    sync(folder, files)
    return ox.Store.read_only(str(folder))


def sync(folder: Path, files: Sequence[Path]) -> SyncReport:
    """Bring the store in `folder` in step with the export `files`; the store is closed on return (so that
    an Oxigraph server can open the folder). FolderError for a folder this project did not create,
    StoreInUse when another process has it open, ExportSyntaxError (nothing changed) for a bad file."""
    started = time.perf_counter()
    folder = claim_store(folder)
    store = _open(folder)
    try:
        report = _sync(store, folder, [Path(f) for f in files])
    finally:
        del store
        gc.collect()  # the store closes (and releases RocksDB's lock) when its last reference goes
    report.seconds = time.perf_counter() - started
    return report


def holds_any(folder: Path, files: Sequence[Path]) -> bool:
    """Whether the store's record lists any of `files` (False for a folder with no complete record)."""
    record = read_record(folder) if files else None
    return record is not None and any(_key(f) in record for f in files)


def _open(folder: Path) -> ox.Store:
    try:
        return ox.Store(str(folder))
    except OSError as e:
        if "lock" in str(e).lower():
            raise StoreInUse(f"--store {folder} is open in another process (a running `privacy-kg serve --store "
                             f"{folder}`?): stop it, or query its endpoint with --endpoint") from None
        raise


def _sync(store: ox.Store, folder: Path, files: list[Path]) -> SyncReport:
    keys = [_key(f) for f in files]
    if len(set(keys)) != len(keys):
        raise FolderError("an export folder is given twice (kg/ or --extra-kg): give each once")
    record = read_record(folder)
    current = {key: path.stat() for key, path in zip(keys, files)}
    paths = dict(zip(keys, files))
    if record is None:
        return _fill(store, folder, paths)
    recorded: dict[str, FileState] = record
    changed = {}
    restamped = {}
    for key, stat in current.items():
        old = recorded.get(key)
        if old is not None and old.same_stat(stat):
            continue
        if old is not None and old.sha256 == hashlib.sha256(paths[key].read_bytes()).hexdigest():
            restamped[key] = FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino, old.sha256, old.graphs)  # (touched, copied)
        else:
            changed[key] = read_file(paths[key], triples=len(changed) < KEEP_PARSED)
    removed = set(recorded) - set(current)
    graphs = {g for key in current for g in (changed[key].state.graphs if key in changed else
                                              (restamped.get(key) or recorded[key]).graphs)}
    if not changed and not removed:
        if restamped:
            _write_record(folder, {**recorded, **restamped})
        return SyncReport(UNCHANGED, len(current), len(graphs), [], [])
    changed_bytes = sum(d.state.size for d in changed.values())
    if changed_bytes > BULK_SHARE * sum(s.st_size for s in current.values()):
        return _fill(store, folder, paths)
    units = _units(recorded, changed, removed)
    replaced, dropped = [], []
    for unit_files, unit_graphs in units:
        data = [_parsed(changed.get(key)) or read_file(paths[key], triples=True) for key in sorted(unit_files) if key in current]
        replace(store, unit_graphs, data)
        for key in unit_files & set(changed):
            changed[key].triples = {}  # (memory)
        held = {g for d in data for g in d.state.graphs}
        replaced += sorted(held)
        dropped += sorted(unit_graphs - held)
        step("store: unit replaced")
    store.flush()
    new_record = {key: state for key, state in recorded.items() if key not in removed}
    new_record.update(restamped)
    new_record.update({key: d.state for key, d in changed.items()})
    _write_record(folder, new_record)
    step("store: record")
    return SyncReport(INCREMENTAL, len(current), len(graphs), replaced, dropped, len(units))


def _parsed(data: FileData | None) -> FileData | None:
    """A changed file read with its triples (and not emptied since), else None: read it again."""
    return data if data is not None and (data.triples or not data.state.graphs) else None


def _units(recorded: dict[str, FileState], changed: dict[str, FileData], removed: set[str]) -> list[tuple[set[str], set[str]]]:
    """The files to replace together and the graphs to drop for them: each changed or removed file, with
    every file that loaded or now holds one of the same graphs, transitively."""
    graphs_of = {key: set(state.graphs) for key, state in recorded.items()}
    for key, data in changed.items():
        graphs_of[key] = graphs_of.get(key, set()) | set(data.state.graphs)  # what it loaded and what it holds
    holders: dict[str, set[str]] = {}
    for key, graphs in graphs_of.items():
        for g in graphs:
            holders.setdefault(g, set()).add(key)
    seen: set[str] = set()
    units = []
    for start in sorted(set(changed) | removed):
        if start in seen:
            continue
        unit_files, unit_graphs, todo = set(), set(), [start]
        while todo:
            key = todo.pop()
            if key in unit_files:
                continue
            unit_files.add(key)
            for g in graphs_of.get(key, ()):
                unit_graphs.add(g)
                todo += holders[g] - unit_files
        seen |= unit_files
        units.append((unit_files, unit_graphs))
    return units


def replace(store: ox.Store, drop: Iterable[str], files: Sequence[FileData]) -> None:
    """One transaction: drop the graphs `drop`, insert every triple of `files` (their graphs are in `drop`)."""
    operations = [f"DROP SILENT GRAPH <{g}>" if g != DEFAULT_GRAPH else "CLEAR SILENT DEFAULT" for g in sorted(drop)]
    merged: dict[str, list[str]] = {}
    for data in files:
        for g, lines in data.triples.items():
            merged.setdefault(g, []).extend(lines)
    blocks = ["\n".join(lines) if g == DEFAULT_GRAPH else f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}"
              for g, lines in merged.items()]
    if blocks:
        operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
    store.update(" ;\n".join(operations))


def _fill(store: ox.Store, folder: Path, paths: dict[str, Path]) -> SyncReport:
    """Everything anew: every file read first (a bad one fails here, with the store untouched), then the
    record says `filling`, the store is cleared and bulk-loaded, and the record is written."""
    states = {key: read_file(path, triples=False).state for key, path in paths.items()}
    _write_json(folder, {"version": RECORD_VERSION, "state": FILLING})
    step("store: filling")
    store.clear()
    step("store: cleared")
    bulk_load(store, list(paths.values()))
    store.flush()
    step("store: bulk loaded")
    _write_record(folder, states)
    (folder / LEGACY_STAMP).unlink(missing_ok=True)
    step("store: record")
    # the bulk load leaves many overlapping sorted files; compacted, queries take about 40% less CPU (1,000
    # companies: 77 s instead of 125 s for every stored query), for about 5% more fill time. Safe to kill.
    store.optimize()
    graphs = sorted({g for state in states.values() for g in state.graphs})
    return SyncReport(FULL, len(paths), len(graphs), graphs, [])


def read_file(path: Path, triples: bool) -> FileData:
    """An export file's state (and its triples by graph): parsed, so that its graphs are what it holds."""
    stat = path.stat()
    data = path.read_bytes()
    by_graph: dict[str, list[str]] = {}
    try:
        for quad in ox.parse(input=data, format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode):
                key = graph.value
            elif isinstance(graph, ox.DefaultGraph):
                key = DEFAULT_GRAPH
            else:
                raise ExportSyntaxError(f"{path}: a graph is named by a blank node ({graph}), which a store cannot "
                                        "replace by name: name it with an IRI")
            lines = by_graph.get(key)
            if lines is None:
                lines = by_graph[key] = []
            if triples:
                lines.append(f"{quad.subject} {quad.predicate} {quad.object} .")
    except SyntaxError as e:
        raise not_nquads(path, e) from None
    state = FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino, hashlib.sha256(data).hexdigest(), tuple(sorted(by_graph)))
    return FileData(state, by_graph if triples else {})


def _key(path: Path) -> str:
    return str(Path(path).resolve())


# -- the record ---------------------------------------------------------------------------------------

def read_record(folder: Path) -> dict[str, FileState] | None:
    """File key -> state, as the last complete sync left it; None when there is none (a new folder, an
    interrupted fill, a record of another version or unreadable), which calls for a full fill."""
    try:
        data = json.loads((Path(folder) / RECORD).read_text(encoding="utf-8"))
        if data.get("version") != RECORD_VERSION or data.get("state") != SYNCED:
            return None
        return {key: FileState(f["size"], f["mtime_ns"], f["inode"], f["sha256"], tuple(f["graphs"]))
                for key, f in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_record(folder: Path, states: dict[str, FileState]) -> None:
    files = {key: states[key].as_json() for key in sorted(states)}
    _write_json(folder, {"version": RECORD_VERSION, "state": SYNCED, "files": files})


def _write_json(folder: Path, data: dict) -> None:
    write_atomically(Path(folder) / RECORD, json.dumps(data, separators=(",", ":")).encode("utf-8"))
