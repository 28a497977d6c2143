"""Stored queries: every one has a golden answer written from reading the policies, and the embedded
store (Oxigraph) and rdflib both return exactly that answer, compared by value."""

from __future__ import annotations

import re

import pytest

from privacy_kg import queries
from privacy_kg.store import open_store, rows
from conftest import REPO, export_dataset

STORED = queries.load_all(REPO / "queries")


def test_there_are_enough_stored_queries_each_with_a_golden_answer():
    assert len(STORED) >= 25
    missing = [q.name for q in STORED if not q.expected_path.exists()]
    assert not missing, f"stored queries without a golden answer: {missing}"
    orphans = sorted(p.name for p in (REPO / "queries").glob("*.expected.csv") if not p.with_name(p.name.replace(".expected.csv", ".rq")).exists())
    assert not orphans


@pytest.fixture(scope="module")
def oxigraph():
    return open_store(REPO / "kg")


@pytest.fixture(scope="module")
def oxigraph_history():
    """The store the queries that compare versions run on (`# needs: history`), as `privacy-kg query` loads it."""
    return open_store(REPO / "kg", history=True)


@pytest.fixture(scope="module")
def rdflib_dataset():
    return export_dataset(REPO / "kg")




def diff(got: queries.Result, expected: queries.Result) -> str:
    g, e = queries.canonical(got), queries.canonical(expected)
    return "\n".join([f"  missing: {dict(r)}" for r in e if r not in g] + [f"  unexpected: {dict(r)}" for r in g if r not in e])


def test_topic_links_are_exactly_the_topic_classes_of_each_practice(oxigraph):
    """The entailed pk:hasTopic the topic queries read equals the practice's topic classes."""
    def pairs(pattern: str) -> set[tuple[str, str, str]]:
        found = rows(oxigraph, "PREFIX pk: <https://w3id.org/privacy-kg/ontology#> SELECT ?g ?p ?t WHERE { " + pattern + " }")
        return {(r["g"].value, r["p"].value, r["t"].value) for r in found}

    by_class = pairs("GRAPH ?g { ?p a ?t } GRAPH <https://w3id.org/privacy-kg/graph/ontology> { ?t pk:isTopic true }")
    assert len(by_class) > 300
    assert pairs("GRAPH ?g { ?p pk:hasTopic ?t }") == by_class


@pytest.mark.parametrize("query", STORED, ids=[q.name for q in STORED])
def test_embedded_store_gives_the_golden_answer(query, oxigraph, oxigraph_history):
    expected = queries.read_expected(query)
    got = queries.run_embedded(oxigraph_history if query.history else oxigraph, query)
    assert got.variables == expected.variables
    assert queries.canonical(got) == queries.canonical(expected), diff(got, expected)


# rdflib's evaluator joins by nested loops: the contradictions query (a self-join of every denied with
# every affirmed statement of a company) takes more than five minutes there; Oxigraph answers in about a
# second, and tests/test_contradictions.py covers its patterns. The queries that compare versions read every
# version's graph (81 of them): rdflib gives their golden answers on the three-version fixture instead
# (tests/test_version_queries.py).
TOO_SLOW_FOR_RDFLIB = {"contradictions"} | {q.name for q in STORED if q.history}


@pytest.mark.parametrize("query", [q for q in STORED if q.name not in TOO_SLOW_FOR_RDFLIB],
                         ids=[q.name for q in STORED if q.name not in TOO_SLOW_FOR_RDFLIB])
def test_rdflib_gives_the_golden_answer(query, rdflib_dataset):
    expected = queries.read_expected(query)
    got = queries.run_rdflib(rdflib_dataset, query)
    assert got.variables == expected.variables
    assert queries.canonical(got) == queries.canonical(expected), diff(got, expected)


def test_results_are_sorted_deterministically(oxigraph):
    for query in STORED:
        first = queries.run_embedded(oxigraph, query).rows
        assert first == queries.run_embedded(oxigraph, query).rows


def test_a_parameter_narrows_the_answer_through_the_hierarchy(oxigraph):
    sharing = queries.find(REPO / "queries", "third-party-sharing")
    everything = queries.run_embedded(oxigraph, sharing).rows
    financial = queries.run_embedded(oxigraph, sharing, {"dataClass": "pk:FinancialData"}).rows
    assert financial and len(financial) < len(everything)
    assert all(row in everything for row in financial)


INJECTIONS = [
    'Cloncom" } } UNION { ?x ?y ?z } #',
    "Cloncom' } DROP ALL #",
    'x"^^<http://evil> } ',
]


@pytest.mark.parametrize("attempt", INJECTIONS)
def test_a_string_parameter_cannot_inject_sparql(oxigraph, attempt):
    evidence = queries.find(REPO / "queries", "evidence")
    text = evidence.bind({"company": attempt})
    assert text.count("VALUES ?company {") == 1
    assert queries.run_embedded(oxigraph, evidence, {"company": attempt}).rows == []  # inert: no company has that name
    assert len(oxigraph) > 0


@pytest.mark.parametrize("attempt", ["pk:Sale } ?s ?p ?o {", "<http://x> } DROP ALL", "javascript alert", "pk:Sa le"])
def test_an_iri_parameter_must_be_one_well_formed_iri(attempt):
    evidence = queries.find(REPO / "queries", "evidence")
    with pytest.raises(queries.QueryError, match="takes an IRI"):
        evidence.bind({"practiceClass": attempt})


def test_unknown_parameters_and_bad_headers_are_reported(tmp_path):
    evidence = queries.find(REPO / "queries", "evidence")
    with pytest.raises(queries.QueryError, match="unknown parameter 'colour'"):
        evidence.bind({"colour": "red"})
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: t\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(queries.QueryError, match="lacks `# question"):
        queries.parse(bad)
    bad.write_text("# title: t\n# question: q\n# param: x iri = pk:A\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(queries.QueryError, match=re.escape("no `VALUES ?x")):
        queries.parse(bad)
