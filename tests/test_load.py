"""privacy_kg.load without a server: what is sent for each graph, and the Graph Store URL guesses."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph

from privacy_kg import load as loading
from privacy_kg.build import quad_files
from store_helpers import copy_export


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_export(tmp_path_factory.mktemp("project"))


def test_one_payload_per_named_graph_of_the_export_ontology_first(project):
    graphs = loading.export_graphs(project.kg_dir)
    lines = [line for path in quad_files(project.kg_dir) for line in path.read_text(encoding="utf-8").splitlines()]
    per_graph = Counter(line.rsplit(" ", 2)[-2][1:-1] for line in lines if line.strip() and not line.startswith("#"))
    assert graphs[0].iri == str(loading.ONTOLOGY_GRAPH)
    assert {g.iri: g.triples for g in graphs} == dict(per_graph)
    assert len(graphs) >= 6


def test_payloads_are_turtle_and_byte_stable(project):
    first, second = loading.export_graphs(project.kg_dir), loading.export_graphs(project.kg_dir)
    assert [g.sha256 for g in first] == [g.sha256 for g in second]  # blank node labels kept from the export
    for graph in first:
        assert len(Graph().parse(data=graph.body.decode(), format="turtle")) == graph.triples, graph.name


@pytest.mark.parametrize("endpoint, store", [
    ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/store"),
    ("http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql-graph-crud-auth"),
    ("http://127.0.0.1:8890/sparql/", "http://127.0.0.1:8890/sparql-graph-crud-auth"),
])
def test_graph_store_url_guessed_for_oxigraph_and_virtuoso(endpoint, store):
    assert loading.guess_graph_store(endpoint) == store


@pytest.mark.parametrize("endpoint", ["http://localhost:7200/repositories/kg", "http://localhost:3030/ds/sparql",
                                      "http://localhost:3030/ds/query"])
def test_graph_store_url_of_other_stores_must_be_given(endpoint):
    with pytest.raises(ValueError, match="give --graph-store"):
        loading.guess_graph_store(endpoint)
