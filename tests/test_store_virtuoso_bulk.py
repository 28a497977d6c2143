"""`privacy-kg load --bulk` into a hermetic Virtuoso (new database in a temporary folder, 127.0.0.1 only,
the export's quads/ in its DirsAllowed): the bulk loader through isql-vt, every graph's count verified,
a stored query answered as on the embedded store, the manifest recorded so that a Graph Store load then
sends nothing, a removed company dropped, and a file the loader refuses reported (isql-vt exits 0 on SQL
errors). Skipped when virtuoso-t is not installed, unless $PRIVACY_KG_REQUIRE_VIRTUOSO=1."""

from __future__ import annotations

import shutil

import pytest

from privacy_kg import servers
from store_helpers import (DBA, assert_same_answers, cli, copy_export, embedded_answers, export_counts, graph_counts,
                           require_virtuoso)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_export(tmp_path_factory.mktemp("virtuoso-bulk-project"))


@pytest.fixture(scope="module")
def server(project):
    require_virtuoso()
    with servers.start_virtuoso(dirs_allowed=(project.kg_dir / "quads",)) as server:
        yield server


def bulk(server, project, *extra: str):
    return cli("load", "--bulk", "--endpoint", server.query_url, "--isql", f"{servers.HOST}:{server.sql_port}",
               "--root", str(project.root), *extra, env=DBA)


@pytest.fixture(scope="module")
def loaded(server, project):
    return bulk(server, project)


def test_bulk_load_verifies_every_graph(loaded, server, project):
    assert loaded.exit_code == 0, loaded.output
    counts = export_counts(project)
    assert graph_counts(server) == counts
    assert f"{len(counts)} graph(s) loaded ({sum(counts.values()):,} triples)" in loaded.stdout


def test_a_stored_query_answers_as_embedded(loaded, server, project):
    assert_same_answers(server, "third-party-sharing", project, embedded_answers(project))


def test_a_graph_store_load_after_it_sends_nothing(loaded, server, project):
    result = cli("load", "--endpoint", server.query_url, "--root", str(project.root), env=DBA)
    assert result.exit_code == 0, result.output
    assert "0 graph(s) loaded" in result.stdout and f"{len(export_counts(project))} unchanged" in result.stdout


def test_files_the_loader_refuses_or_cannot_find_are_reported(loaded, server, project, tmp_path):
    """isql-vt exits 0 whatever the loader did: a file it refused (ll_error) or never found (no error, left
    unloaded) must stop the load, named, with exit 2."""
    elsewhere = tmp_path / "quads"
    shutil.copytree(project.kg_dir / "quads", elsewhere)
    with open(elsewhere / "telegram.nq", "a", encoding="utf-8") as f:
        f.write("<https://example.org/s> <https://example.org/p> \"unterminated .\n")
    (elsewhere / "voipcom.nq").unlink()
    result = bulk(server, project, "--bulk-dir", str(elsewhere))
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "the load is incomplete" in message, result.output
    assert "Virtuoso's loader did not load" in message and "rerun the same command" in message
    assert f"{elsewhere}/telegram.nq: " in message and f"{elsewhere}/voipcom.nq: not loaded" in message


def test_a_removed_company_is_dropped_and_wrong_credentials_change_nothing(loaded, server, project):
    wrong = cli("load", "--bulk", "--endpoint", server.query_url, "--isql", f"{servers.HOST}:{server.sql_port}",
                "--root", str(project.root), env={**DBA, "PRIVACY_KG_PASSWORD": "wrong"})
    assert wrong.exit_code == 2 and "nothing was loaded" in wrong.stderr
    (project.kg_dir / "quads" / "cloncom.nq").unlink()
    result = bulk(server, project)
    assert result.exit_code == 0, result.output
    assert "1 removed" in result.stdout
    assert graph_counts(server) == export_counts(project) and "cloncom" not in graph_counts(server)
