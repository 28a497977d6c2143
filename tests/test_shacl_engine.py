"""The compiled SHACL engine reports what pyshacl reports (focus, path, value, severity, message, source shape,
component) for every shape's failing fixture, the regulatory profiles' cases, the seeds, a synthetic sample
and OPP-115 (when present), and the report it writes is isomorphic to pyshacl's."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from conftest import REPO, SEEDS
from fastpath_support import company_graphs
from privacy_kg.build import company_namespaces, to_graph
from privacy_kg.closure import plain_triples
from privacy_kg.namespaces import ID
from privacy_kg.project import Project
from privacy_kg.reason import close_triples
from privacy_kg.shacl import SH, CompiledShapes
from privacy_kg.validate import report_lines, results_of, shacl, shapes_graph
from test_regulatory_profiles import CASES as PROFILE_CASES, complete, variant  # noqa: F401  (a fixture)
from test_shapes import CASES, PREFIXES, valid  # noqa: F401  (a fixture)

SHAPES = shapes_graph(REPO / "ontology")  # what validation runs: shapes.ttl and regulatory-shapes.ttl
ENGINE = CompiledShapes(SHAPES)
# the profile cases against the regulatory shapes alone: pyshacl takes seconds per graph with every shape
REGULATORY = Graph().parse(REPO / "ontology" / "regulatory-shapes.ttl")
REGULATORY_ENGINE = CompiledShapes(REGULATORY)


def _key(r, source: Graph) -> tuple:
    path = r.path if isinstance(r.path, URIRef) or r.path is None else ("inverse", str(source.value(r.path, SH.inversePath)))
    shape = str(r.shape) if isinstance(r.shape, URIRef) else "(blank)"
    return (str(r.focus), str(r.severity), str(r.component), r.message, str(path), str(r.value), shape)


def assert_same(triples: set[tuple], rdflib_graph: Graph, shapes: Graph = SHAPES, engine: CompiledShapes = ENGINE) -> int:
    report = shacl(rdflib_graph, shapes)
    reference = sorted(_key(r, report) for r in results_of(report))
    results = engine.validate(triples)
    assert sorted(_key(r, shapes) for r in results) == reference
    mine = Graph().parse(data="".join(report_lines(results, shapes)), format="nt")
    theirs = Graph()
    for t in report:
        theirs.add(t)
    for root in list(theirs.subjects(None, SH.ValidationReport)):
        theirs.remove((root, None, None))
    assert isomorphic(mine, theirs)
    return len(reference)


@pytest.mark.parametrize("case,update", [(c[0], c[1]) for c in CASES], ids=[c[0] for c in CASES])
def test_each_failing_fixture_gives_pyshacl_results(valid, case, update):  # noqa: F811
    bad = Graph() + valid
    bad.update(PREFIXES + update)
    assert assert_same(plain_triples(bad), bad) > 0


@pytest.mark.parametrize("slug", SEEDS + ["synthetic-000000", "synthetic-000001"])
def test_company_graphs_give_pyshacl_results(slug):
    asserted, _ = company_graphs()[slug]
    inferred, _ = close_triples(asserted, Project(REPO).vocabulary.graph, str(ID[slug]))
    data = asserted | inferred
    assert assert_same(data, to_graph(data, company_namespaces(slug))) >= 0


@pytest.mark.parametrize("case,update,expected", PROFILE_CASES, ids=[c[0] for c in PROFILE_CASES])
def test_each_regulatory_case_gives_pyshacl_results(complete, case, update, expected):  # noqa: F811
    bad = variant(complete, update)
    assert assert_same(plain_triples(bad), bad, REGULATORY, REGULATORY_ENGINE) == len(expected)


def test_the_complete_policy_gives_pyshacl_results(complete):  # noqa: F811
    assert assert_same(plain_triples(complete), complete) == 3  # the three topics it is silent on


def test_there_is_one_case_per_fixture():
    assert len(CASES) == 28
