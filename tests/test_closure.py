"""The compiled OWL 2 RL closure gives what owlrl gives: the same inferred triples on the seeds, a synthetic
sample and OPP-115 policies (when present), and it hands every graph it cannot decide to owlrl."""

from __future__ import annotations

import pytest
from rdflib import Graph

from conftest import REPO, SEEDS
from fastpath_support import SYNTHETIC, company_graphs
from privacy_kg.build import company_namespaces, to_graph
from privacy_kg.closure import plain_triples
from privacy_kg.namespaces import ID
from privacy_kg.project import Project
from privacy_kg.reason import close_triples, close_with_owlrl
from test_reason import BAD

SAMPLE = SEEDS + [f"synthetic-{i:06d}" for i in range(SYNTHETIC)]
ONTOLOGY = Project(REPO).vocabulary.graph


@pytest.mark.parametrize("slug", SAMPLE)
def test_fast_closure_equals_owlrl(slug):
    asserted, _ = company_graphs()[slug]
    namespace = str(ID[slug])
    fast = close_triples(asserted, ONTOLOGY, namespace)
    assert fast is not None, "the fast path should decide a consistent company graph"
    reference = close_with_owlrl(to_graph(asserted, company_namespaces(slug)), ONTOLOGY, namespace)
    assert reference.consistent and fast[1] == []
    assert fast[0] == plain_triples(reference.inferred)


def test_the_sample_has_every_case_once():
    assert len(SAMPLE) == len(SEEDS) + SYNTHETIC == 8


BROKEN = {
    "two modalities (functional property, disjoint classes)": BAD,
    "a data type that is a purpose": BAD.replace(", pk:DoesNot", ""),
    "a literal that does not fit its datatype": BAD.replace(", pk:DoesNot", "").replace(", pk:Purpose", "")
    + '\nx:practice\\/p-1 pk:hasAgeLimit "thirteen"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n',
    "schema triples in the data": BAD.replace(", pk:DoesNot", "").replace(", pk:Purpose", "")
    + "\npk:Sale <http://www.w3.org/2000/01/rdf-schema#subClassOf> pk:Purpose .\n",
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_graphs_the_fast_path_does_not_model_go_to_owlrl(case):
    graph = Graph().parse(data=BROKEN[case], format="turtle")
    assert close_triples(plain_triples(graph), ONTOLOGY, "https://w3id.org/privacy-kg/id/bad/") is None


def test_opp115_policies_close_the_same(opp115_path, repo):
    from privacy_kg.opp115 import importer
    from privacy_kg.opp115.reader import read_folder

    settings = importer.Settings(opp115_path, repo.ontology_dir, repo.mappings_dir)
    checked = 0
    for policy in list(read_folder(opp115_path))[:2]:
        adapted = importer.adapt(policy, settings)
        slug = adapted.imported.company.slug
        namespace = str(ID[slug])
        asserted = plain_triples(adapted.graph)
        fast = close_triples(asserted, ONTOLOGY, namespace)
        reference = close_with_owlrl(adapted.graph, ONTOLOGY, namespace)
        assert fast is not None and fast[0] == plain_triples(reference.inferred)
        checked += 1
    assert checked == 2


from opp115_support import opp115_path  # noqa: E402,F401  (a fixture)
