"""`--store DIR` (query, serve): only a folder this project created is cleared or reused; anything else
(kg/, a user's own Oxigraph database, a file) is refused with exit 2 and left as it was."""

from __future__ import annotations

import pyoxigraph as ox
from typer.testing import CliRunner

from conftest import snapshot
from privacy_kg.cli import app

runner = CliRunner()


def _built(make_project):
    project = make_project("acme")
    assert runner.invoke(app, ["build", "--root", str(project.root)]).exit_code == 0
    return project


def test_query_store_creates_a_marked_folder_and_reuses_it(make_project, tmp_path):
    project = _built(make_project)
    db = tmp_path / "db"
    for _ in range(2):
        result = runner.invoke(app, ["query", "--all", "--root", str(project.root), "--store", str(db)])
        assert result.exit_code == 0, result.output
    assert (db / "privacy-kg-store.json").is_file()


def test_query_store_refuses_kg_and_a_users_own_oxigraph_database(make_project, tmp_path):
    project = _built(make_project)
    theirs = tmp_path / "theirs"
    store = ox.Store(str(theirs))
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal("mine")))
    store.flush()
    del store
    for folder in (project.kg_dir, theirs):
        before = snapshot(folder)
        result = runner.invoke(app, ["query", "--all", "--root", str(project.root), "--store", str(folder)])
        message = " ".join(result.output.split())  # the console wraps long lines
        assert result.exit_code == 2 and message.count("error:") == 1 and "privacy-kg did not create it" in message
        assert snapshot(folder) == before
    assert len(ox.Store(str(theirs))) == 1


def test_serve_stats_and_report_refuse_a_folder_they_did_not_create(make_project, tmp_path):
    project = _built(make_project)
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    for command in (["serve", "--port", "0"], ["stats"], ["report", "--out", str(tmp_path / "site")]):
        result = runner.invoke(app, [*command, "--root", str(project.root), "--store", str(mine)])
        message = " ".join(result.output.split())
        assert result.exit_code == 2 and "privacy-kg did not create it" in message, (command, result.output)
        assert snapshot(mine) == {"notes.txt": b"keep me\n"}


def test_one_store_folder_serves_query_and_stats(make_project, tmp_path):
    """The store kind is shared: `stats --store` reuses the folder `query --store` made and says what the
    in-memory store says."""
    project = _built(make_project)
    db = tmp_path / "db"
    assert runner.invoke(app, ["query", "--all", "--root", str(project.root), "--store", str(db)]).exit_code == 0
    on_disk = runner.invoke(app, ["stats", "--root", str(project.root), "--store", str(db)])
    in_memory = runner.invoke(app, ["stats", "--root", str(project.root)])
    assert on_disk.exit_code == 0 and in_memory.exit_code == 0, on_disk.output + in_memory.output
    assert on_disk.output == in_memory.output and "triples:" in on_disk.output
