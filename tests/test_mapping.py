"""The mapping of tagged clauses to RDF, checked against a hand-written expected graph."""

from __future__ import annotations

from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from privacy_kg.mapping import company_graph
from conftest import FIXTURES


def test_clause_fixture_maps_to_the_expected_triples(make_project):
    project = make_project("acme")
    [acme] = project.companies()
    got = company_graph(acme, project.vocabulary, project.keys)
    expected = Graph().parse(FIXTURES / "acme-expected.ttl")
    if not isomorphic(got, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(got))
        raise AssertionError(f"missing: {sorted(missing)}\nextra: {sorted(extra)}")


def test_named_parties_become_labelled_individuals_of_their_class(repo):
    crystal = next(c for c in repo.companies(["crystalcall"]))
    g = company_graph(crystal, repo.vocabulary, repo.keys)
    query = """PREFIX pk: <https://w3id.org/privacy-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
      SELECT DISTINCT ?name WHERE { ?p pk:hasRecipient|pk:hasActor ?party . ?party a pk:PaymentProcessor ; rdfs:label ?name }"""
    assert {str(r.name) for r in g.query(query)} >= {"Authorize.Net"}
