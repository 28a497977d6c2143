"""The on-disk store (disk_store): kept in step with the export incrementally. A changed company replaces
exactly its graph, a removed one's graph is dropped, graphs shared between files are replaced together,
a kill between any two steps leaves a store the next open repairs, a folder privacy-kg did not create is
refused, and every stored query answers as on the in-memory store."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import REPO, snapshot
from privacy_kg import disk_store, queries, stats
from privacy_kg.owned_folders import STORE_MARKER, FolderError
from privacy_kg.store import ExportSyntaxError, earlier_versions, export_files, open_store
from store_helpers import STORED_QUERIES, copy_export

GRAPH = "https://w3id.org/privacy-kg/graph/"
SENTINEL = ox.Quad(ox.NamedNode("https://example.org/sentinel"), ox.NamedNode("https://example.org/p"),
                   ox.Literal("this graph was not replaced"), ox.NamedNode(GRAPH + "bitwarden"))


@pytest.fixture
def project(tmp_path):
    return copy_export(tmp_path / "project")


def sync(project, db, *extra):
    return disk_store.sync(db, export_files(project.kg_dir, extra))


def contents(store: ox.Store) -> dict[str, Counter]:
    """Every quad by graph, blank nodes written `_:` (a replaced unit gets new blank node ids): a multiset."""
    found: dict[str, Counter] = {}
    for quad in store:
        terms = ["_:" if isinstance(t, ox.BlankNode) else str(t) for t in (quad.subject, quad.predicate, quad.object)]
        found.setdefault(str(quad.graph_name), Counter())[" ".join(terms)] += 1
    return found


def on_disk(db) -> dict[str, Counter]:
    store = ox.Store.read_only(str(db))
    try:
        return contents(store)
    finally:
        del store
        gc.collect()


def in_memory(project, *extra) -> dict[str, Counter]:
    return contents(open_store(project.kg_dir, extra=extra))


def drop_last_quad(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def add_sentinel(db) -> None:
    store = ox.Store(str(db))
    store.add(SENTINEL)
    store.flush()
    del store
    gc.collect()


def test_a_new_folder_is_filled_and_an_unchanged_export_is_not_read_again(project, tmp_path):
    db = tmp_path / "db"
    first = sync(project, db)
    assert first.mode == disk_store.FULL and (db / STORE_MARKER).is_file()
    assert on_disk(db) == in_memory(project)
    add_sentinel(db)
    again = sync(project, db)
    assert again.mode == disk_store.UNCHANGED and again.replaced == [] and again.dropped == []
    assert SENTINEL in ox.Store.read_only(str(db))


def test_one_changed_company_replaces_exactly_its_graph(project, tmp_path):
    db = tmp_path / "db"
    sync(project, db)
    add_sentinel(db)
    before = on_disk(db)
    drop_last_quad(project.kg_dir / "quads" / "voipcom.nq")
    report = sync(project, db)
    assert report.mode == disk_store.INCREMENTAL and report.replaced == [GRAPH + "voipcom"] and report.units == 1
    after = on_disk(db)
    voipcom = f"<{GRAPH}voipcom>"
    assert sum(after[voipcom].values()) == sum(before[voipcom].values()) - 1
    assert {g: c for g, c in after.items() if g != voipcom} == {g: c for g, c in before.items() if g != voipcom}
    assert SENTINEL in ox.Store.read_only(str(db))  # bitwarden's graph was left alone
    expected = in_memory(project)
    assert after[voipcom] == expected[voipcom]


def test_a_file_rewritten_with_the_same_bytes_is_not_replaced(project, tmp_path):
    db = tmp_path / "db"
    sync(project, db)
    add_sentinel(db)
    path = project.kg_dir / "quads" / "bitwarden.nq"
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)  # a new inode and mtime, the same content
    assert sync(project, db).mode == disk_store.UNCHANGED
    assert SENTINEL in ox.Store.read_only(str(db))
    assert sync(project, db).mode == disk_store.UNCHANGED  # its new stat was recorded: not hashed again


def test_a_removed_company_is_dropped_and_an_added_one_loaded(project, tmp_path):
    db = tmp_path / "db"
    sync(project, db)
    quads = project.kg_dir / "quads"
    (quads / "cloncom.nq").unlink()
    renamed = (quads / "voipcom.nq").read_text(encoding="utf-8").replace(f" <{GRAPH}voipcom> .\n", f" <{GRAPH}voipcom-2> .\n")
    (quads / "voipcom-2.nq").write_text(renamed, encoding="utf-8")
    report = sync(project, db)
    assert report.mode == disk_store.INCREMENTAL
    assert report.dropped == [GRAPH + "cloncom"] and report.replaced == [GRAPH + "voipcom-2"]
    after = on_disk(db)
    assert f"<{GRAPH}cloncom>" not in after and after[f"<{GRAPH}voipcom-2>"] == after[f"<{GRAPH}voipcom>"]
    assert after == in_memory(project)


def test_a_graph_in_two_files_is_replaced_from_both_in_one_unit(project, tmp_path):
    """The ontology's graphs are in kg/quads/ontology.nq and in each import's: when one file changes, the
    graphs it shares are rebuilt from every file holding them (here the extra export lacks a line the
    changed kg/ file drops, so the union keeps it)."""
    extra = tmp_path / "extra"
    (extra / "quads").mkdir(parents=True)
    ontology = project.kg_dir / "quads" / "ontology.nq"
    shutil.copy(ontology, extra / "quads" / "ontology.nq")
    db = tmp_path / "db"
    sync(project, db, extra)
    lines = ontology.read_text(encoding="utf-8").splitlines(keepends=True)
    last = lines[-1]
    ontology.write_text("".join(lines[:-1]), encoding="utf-8")
    report = sync(project, db, extra)
    assert report.units == 1 and set(report.replaced) == {GRAPH + "ontology", GRAPH + "class-hierarchy"}
    assert on_disk(db) == in_memory(project, extra)  # the line is still there: the extra file holds it
    (extra / "quads" / "ontology.nq").write_text("".join(lines[:-1]), encoding="utf-8")
    sync(project, db, extra)
    assert on_disk(db) == in_memory(project, extra)
    assert last.split(" <https://w3id.org/privacy-kg/graph/")[0] not in "\n".join(on_disk(db)[f"<{GRAPH}ontology>"]
                                                                                 | on_disk(db)[f"<{GRAPH}class-hierarchy>"])


def test_the_record_names_each_files_graphs(project, tmp_path):
    db = tmp_path / "db"
    sync(project, db)
    record = disk_store.read_record(db)
    by_name = {Path(key).name: state.graphs for key, state in record.items()}
    assert by_name["ontology.nq"] == (GRAPH + "class-hierarchy", GRAPH + "ontology")
    assert by_name["voipcom.nq"] == (GRAPH + "voipcom",)
    assert len(by_name) == len(export_files(project.kg_dir))


def test_a_bad_file_changes_nothing(project, tmp_path):
    db = tmp_path / "db"
    sync(project, db)
    before = on_disk(db)
    record = (db / disk_store.RECORD).read_bytes()
    drop_last_quad(project.kg_dir / "quads" / "voipcom.nq")
    with open(project.kg_dir / "quads" / "telegram.nq", "a", encoding="utf-8") as f:
        f.write("<https://example.org/s> <https://example.org/p> \"unterminated .\n")
    with pytest.raises(ExportSyntaxError, match=r"telegram\.nq: not valid N-Quads"):
        sync(project, db)
    assert on_disk(db) == before and (db / disk_store.RECORD).read_bytes() == record


def test_a_folder_privacy_kg_did_not_create_is_refused(project, tmp_path):
    theirs = tmp_path / "theirs"
    store = ox.Store(str(theirs))
    store.add(SENTINEL)
    store.flush()
    del store
    gc.collect()
    before = snapshot(theirs)
    with pytest.raises(FolderError, match="privacy-kg did not create it"):
        sync(project, theirs)
    assert snapshot(theirs) == before
    with pytest.raises(FolderError, match="privacy-kg did not create it"):
        sync(project, project.kg_dir)


def test_a_folder_marked_by_an_earlier_query_or_serve_store_is_reused_and_refilled(project, tmp_path):
    db = tmp_path / "db"
    store = ox.Store(str(db))
    store.add(SENTINEL)
    del store
    gc.collect()
    (db / STORE_MARKER).write_text(json.dumps({"created_by": "privacy-kg", "kind": "serve"}))
    assert sync(project, db).mode == disk_store.FULL
    assert on_disk(db) == in_memory(project)  # the old contents are gone
    assert json.loads((db / STORE_MARKER).read_text())["kind"] == "store"


def test_a_store_open_elsewhere_is_a_clear_error(project, tmp_path):
    db = tmp_path / "db"
    sync(project, db)
    holder = ox.Store(str(db))  # as a running `serve --store` holds it
    try:
        with pytest.raises(disk_store.StoreInUse, match="open in another process"):
            sync(project, db)
    finally:
        del holder
        gc.collect()


KILLED_SYNC = ("import sys; from pathlib import Path; from privacy_kg import disk_store, store; "
               "disk_store.sync(Path(sys.argv[1]), store.export_files(Path(sys.argv[2])))")


def _sync_killed_after(step: int, project, db) -> int:
    env = {**os.environ, "PRIVACY_KG_DIE_AFTER_STEP": str(step), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", KILLED_SYNC, str(db), str(project.kg_dir)], env=env, timeout=300).returncode


@pytest.mark.parametrize("change", ["fill", "incremental"])
def test_a_sync_killed_after_any_step_is_repaired_by_the_next_open(project, tmp_path, change):
    """A fill (record `filling`, clear, bulk load, record) and an incremental sync (one transaction per
    changed or removed company, then the record) killed after each of their steps: the next sync gives the
    store the in-memory store holds."""
    for step in range(1, 20):
        db = tmp_path / f"db-{change}-{step}"
        work = copy_export(tmp_path / f"project-{change}-{step}")
        if change == "incremental":
            sync(work, db)
            drop_last_quad(work.kg_dir / "quads" / "voipcom.nq")
            (work.kg_dir / "quads" / "cloncom.nq").unlink()
        code = _sync_killed_after(step, work, db)
        if code == 0:  # the sync has fewer steps than this: every kill point was tried
            assert step > 3
            break
        assert code == -9
        sync(work, db)
        assert on_disk(db) == in_memory(work), f"{change}: killed after step {step}, not repaired"
    else:
        pytest.fail("the sync never finished")


@pytest.fixture(scope="module")
def changed_project(tmp_path_factory):
    """The seeds' export after an incremental sync (one company changed, one removed), beside the in-memory
    store of the same files."""
    root = tmp_path_factory.mktemp("disk-answers")
    project = copy_export(root / "project")
    db = root / "db"
    disk_store.sync(db, export_files(project.kg_dir))
    drop_last_quad(project.kg_dir / "quads" / "voipcom.nq")
    (project.kg_dir / "quads" / "clickatell.nq").unlink()
    disk = open_store(project.kg_dir, db)
    return project, disk, open_store(project.kg_dir)


@pytest.mark.parametrize("name", STORED_QUERIES)
def test_stored_query_answers_as_in_memory(changed_project, name):
    project, disk, memory = changed_project
    query = queries.find(project.queries_dir, name)
    assert queries.canonical(queries.run_embedded(disk, query)) == queries.canonical(queries.run_embedded(memory, query))


def test_stored_queries_give_their_golden_answers_on_the_store(tmp_path):
    """`query --all --check --store`: every golden answer, earlier versions loaded for the queries that
    read them (the store follows the files each run asks for)."""
    from store_helpers import cli
    project = copy_export(tmp_path / "project")
    result = cli("query", "--all", "--check", "--format", "csv", "--root", str(project.root), "--store", str(tmp_path / "db"))
    assert result.exit_code == 0, result.output[-2000:]
    assert "every stored query gives its golden answer" in result.stdout


def test_a_large_change_is_a_full_fill_and_a_small_one_is_read_twice_when_many(project, tmp_path, monkeypatch):
    db = tmp_path / "db"
    sync(project, db)
    quads = project.kg_dir / "quads"
    big = sorted(quads.glob("*.nq"), key=lambda p: -p.stat().st_size)[:3]  # more than 30% of the bytes
    for path in big:
        drop_last_quad(path)
    assert sync(project, db).mode == disk_store.FULL
    assert on_disk(db) == in_memory(project)
    monkeypatch.setattr(disk_store, "KEEP_PARSED", 0)  # every changed file parsed again when replaced
    for name in ("voipcom.nq", "cloncom.nq"):
        drop_last_quad(quads / name)
    report = sync(project, db)
    assert report.mode == disk_store.INCREMENTAL and report.units == 2
    assert on_disk(db) == in_memory(project)


def test_an_export_folder_given_twice_is_refused(project, tmp_path):
    with pytest.raises(FolderError, match="given twice"):
        sync(project, tmp_path / "db", project.kg_dir)


def test_earlier_versions_stay_for_the_next_query_that_compares_them(project, tmp_path):
    """A reader of the current versions after a query that compares versions keeps the history in the store
    (dropping it would refill the store at each alternation) and sees the current versions only; a changed
    version is kept in step, and the versions go when history/ does."""
    db = tmp_path / "db"
    versions = earlier_versions(project.kg_dir)
    assert versions
    open_store(project.kg_dir, db, history=True)
    with_history = contents(open_store(project.kg_dir, history=True))
    assert on_disk(db) == with_history
    current, memory = open_store(project.kg_dir, db), open_store(project.kg_dir)
    assert on_disk(db) == with_history  # nothing dropped
    assert stats.compute(current) == stats.compute(memory)
    for query in queries.load_all(project.queries_dir):
        if not query.history:
            assert queries.canonical(queries.run_embedded(current, query)) == queries.canonical(queries.run_embedded(memory, query)), query.name
    drop_last_quad(versions[0])
    open_store(project.kg_dir, db)
    assert on_disk(db) == contents(open_store(project.kg_dir, history=True))
    shutil.rmtree(project.kg_dir / "history")
    assert isinstance(open_store(project.kg_dir, db), ox.Store)  # nothing left to hide
    assert on_disk(db) == in_memory(project)
