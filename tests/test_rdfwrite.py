"""The fast writers write, byte for byte, what rdflib writes: Turtle and N-Quads, seeds and synthetic companies."""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef

from conftest import SEEDS
from fastpath_support import company_graphs
from privacy_kg import rdfwrite
from privacy_kg.build import company_namespaces, to_graph
from privacy_kg.namespaces import GRAPH

SAMPLE = SEEDS + ["synthetic-000000", "synthetic-000002"]


@pytest.mark.parametrize("slug", SAMPLE)
def test_turtle_and_nquads_are_rdflibs(slug):
    asserted, _ = company_graphs()[slug]
    namespaces = company_namespaces(slug)
    graph = to_graph(asserted, namespaces)
    assert rdfwrite.turtle(asserted, namespaces) == graph.serialize(format="turtle")
    dataset = Dataset()
    target = dataset.graph(URIRef(GRAPH[slug]))
    for t in graph:
        target.add(t)
    expected = sorted(line for line in dataset.serialize(format="nquads").split("\n") if line.strip())
    assert sorted(rdfwrite.nquad_lines(asserted, str(GRAPH[slug]))) == expected


def test_blank_nodes_are_left_to_rdflib():
    from rdflib import BNode
    assert rdfwrite.turtle({(BNode(), "http://x/p", "http://x/o")}, company_namespaces("x")) is None
