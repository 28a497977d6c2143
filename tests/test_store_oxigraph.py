"""Round trip through a real Oxigraph server on 127.0.0.1: `privacy-kg load`, then every stored query
through SPARQLWrapper (`privacy-kg query --endpoint`), answers compared with the embedded store by value."""

from __future__ import annotations

import pytest

from privacy_kg import servers
from store_helpers import (STORED_QUERIES, assert_same_answers, cli, copy_export, embedded_answers, export_counts,
                           load_args, server_counts)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_export(tmp_path_factory.mktemp("oxigraph-project"))


@pytest.fixture(scope="module")
def embedded(project):
    return embedded_answers(project)


@pytest.fixture(scope="module")
def loaded(project, tmp_path_factory):
    """An Oxigraph server holding the export, and the output of the `privacy-kg load` that filled it."""
    with servers.start_oxigraph(folder=tmp_path_factory.mktemp("oxigraph")) as server:
        result = cli(*load_args(project, server))
        yield server, result


@pytest.fixture(scope="module")
def server(loaded):
    return loaded[0]


def test_load_puts_every_graph_and_verifies_it(loaded, project):
    server, result = loaded
    assert result.exit_code == 0, result.output
    expected = export_counts(project)
    assert server_counts(server) == expected
    assert len(expected) >= 6  # the ontology and the seed companies
    for name, triples in expected.items():
        assert f"│ {name} " in result.stdout and f" {triples} " in result.stdout
    assert f"{len(expected)} graph(s) loaded" in result.stdout


def test_found_every_stored_query():
    assert len(STORED_QUERIES) >= 18


@pytest.mark.parametrize("name", STORED_QUERIES)
def test_stored_query_answers_as_embedded(server, project, embedded, name):
    assert_same_answers(server, name, project, embedded)


def test_query_command_on_the_endpoint(server, project):
    args = ["query", "third-party-sharing", "--format", "csv", "--root", str(project.root)]
    remote, local = cli(*args, "--endpoint", server.query_url), cli(*args)
    assert remote.exit_code == 0 and local.exit_code == 0, remote.output + local.output
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())
    assert len(local.stdout.splitlines()) > 1
