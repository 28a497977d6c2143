"""SHACL shapes: each fires on a minimal bad variant of a valid graph, with its message, and stays
silent on the valid graph; the closed lists agree with the ontology."""

from __future__ import annotations

import csv

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection

from privacy_kg.mapping import company_graph
from privacy_kg.namespaces import ID, PK
from privacy_kg.reason import close
from privacy_kg.validate import SH, findings_of, shacl
from conftest import REPO

PREFIXES = """PREFIX pk: <https://w3id.org/privacy-kg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX acme: <https://w3id.org/privacy-kg/id/acme/>
"""
P1 = "<https://w3id.org/privacy-kg/id/acme/practice/registration-1>"
CLAUSE = "<https://w3id.org/privacy-kg/id/acme/clause/registration>"
POSITION = "<https://w3id.org/privacy-kg/id/acme/clause/registration/position>"
POLICY = "<https://w3id.org/privacy-kg/id/acme/policy>"
COMPANY = "<https://w3id.org/privacy-kg/id/acme>"
NAME = "<https://w3id.org/privacy-kg/id/acme/data-type/name>"

# (case, SPARQL update turning the valid graph into a bad one, severity, expected message fragment)
CASES = [
    ("no modality", f"DELETE WHERE {{ {P1} pk:hasModality ?m }}", "Violation", "exactly one modality"),
    ("two modalities", f"INSERT DATA {{ {P1} pk:hasModality pk:May }}", "Violation", "exactly one modality"),
    ("modality outside the set", f"DELETE WHERE {{ {P1} pk:hasModality ?m }} ; INSERT DATA {{ {P1} pk:hasModality pk:Perhaps }}", "Violation", "exactly one modality"),
    ("no evidence", f"DELETE WHERE {{ {P1} pk:hasEvidence ?c }}", "Violation", "at least one evidence clause"),
    ("no company", f"DELETE WHERE {{ {P1} pk:statedBy ?c }}", "Violation", "stated by exactly one company"),
    ("no actor", f"DELETE WHERE {{ {P1} pk:hasActor ?a }}", "Violation", "has an actor that is a party"),
    ("no practice class", f"DELETE {{ {P1} a ?t }} WHERE {{ {P1} a ?t FILTER (?t != pk:Practice) }}", "Violation", "below one of the topics"),
    ("age limit as text", f'INSERT DATA {{ {P1} pk:hasAgeLimit "13" }}', "Violation", "age limit is one non-negative integer"),
    ("notice period as text", f'INSERT DATA {{ {P1} pk:hasNoticePeriod "ten days" }}', "Violation", "notice period is one xsd:duration"),
    ("response time as text", f'INSERT DATA {{ {P1} pk:hasResponseTime "thirty days" }}', "Violation", "response time is one xsd:duration"),
    ("last updated as a year", f'INSERT DATA {{ {POLICY} pk:lastUpdated "2009"^^xsd:gYear }}', "Violation", "last-updated date is one xsd:date"),
    ("confidence above 1", f'INSERT DATA {{ {P1} pk:hasConfidence 1.5 }}', "Violation", "confidence is one decimal between 0 and 1"),
    ("offsets off by one", f'DELETE WHERE {{ {POSITION} oa:end ?e }} ; INSERT DATA {{ {POSITION} oa:end "80"^^xsd:nonNegativeInteger }}', "Violation", "offsets do not agree with its quote"),
    ("quote selector differs", f'DELETE {{ ?s oa:exact ?e }} INSERT {{ ?s oa:exact "something else" }} WHERE {{ {CLAUSE} oa:hasSelector ?s . ?s oa:exact ?e }}', "Violation", "offsets do not agree with its quote"),
    ("no position selector", f"DELETE WHERE {{ {CLAUSE} oa:hasSelector {POSITION} }}", "Violation", "exactly one text position selector"),
    ("start after end", f'DELETE WHERE {{ {POSITION} oa:start ?s }} ; INSERT DATA {{ {POSITION} oa:start "90"^^xsd:nonNegativeInteger }}', "Violation", "before its end"),
    ("clause id not kebab", f'DELETE WHERE {{ {CLAUSE} pk:clauseId ?i }} ; INSERT DATA {{ {CLAUSE} pk:clauseId "Bad Id" }}', "Violation", "kebab-case clause id"),
    ("clause without policy", f"DELETE WHERE {{ {CLAUSE} pk:inPolicy ?p }}", "Violation", "belongs to exactly one policy"),
    ("policy without company", f"DELETE WHERE {{ {POLICY} pk:ofCompany ?c }}", "Violation", "belongs to exactly one company"),
    ("policy without date", f"DELETE WHERE {{ {POLICY} pk:archivedOn ?d }}", "Warning", "no known date"),
    ("company without sector", f"DELETE WHERE {{ {COMPANY} pk:sector ?s }}", "Violation", "has a sector"),
    ("untyped data individual", f"DELETE WHERE {{ {NAME} a ?t }}", "Violation", "data type value must be an individual typed with a data-type class"),
    ("purpose that is no purpose", f"INSERT DATA {{ {P1} pk:hasPurpose {NAME} }}", "Violation", "purpose value must be an individual typed with a purpose class"),
    ("default outside the set", f"INSERT DATA {{ {P1} pk:hasChoiceDefault pk:Whatever }}", "Violation", "pk:OptedInByDefault or pk:OptedOutByDefault"),
    ("unknown seal", f"INSERT DATA {{ {COMPANY} pk:claimsSeal pk:MadeUpSeal }}", "Violation", "one of the seals the ontology defines"),
    ("unknown law", f"INSERT DATA {{ {P1} pk:citesLaw pk:MadeUpAct }}", "Violation", "one of the laws the ontology defines"),
    ("value without label", f"DELETE WHERE {{ {NAME} rdfs:label ?l }}", "Violation", "carries the label of its class"),
    ("silent on collection", f"DELETE {{ {P1} a ?t }} INSERT {{ {P1} a pk:SecurityPractice, pk:DataSecurity }} WHERE {{ {P1} a ?t FILTER (?t != pk:Practice) }}", "Warning", "silent on first-party collection and use"),
]


@pytest.fixture(scope="module")
def valid(tmp_path_factory, repo):
    from privacy_kg.corpus import load_corpus
    from conftest import FIXTURES

    [acme] = [c for c in load_corpus(FIXTURES / "corpus", repo.vocabulary, repo.keys) if c.slug == "acme"]
    asserted = company_graph(acme, repo.vocabulary, repo.keys)
    return asserted + close(asserted, repo.vocabulary.graph, str(ID["acme"])).inferred


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(REPO / "ontology" / "shapes.ttl")


def results(data: Graph, shapes: Graph) -> list:
    return findings_of(shacl(data, shapes), data, "acme")


def test_the_valid_graph_has_no_violation_and_only_silence_warnings(valid, shapes):
    found = results(valid, shapes)
    assert not [f for f in found if f.severity == "Violation"]
    assert {f.message for f in found} == {
        f"silent on {topic}" for topic in ("user choice and control", "user access, edit and deletion", "data retention",
                                           "data security", "policy change", "Do Not Track", "children and specific audiences",
                                           "privacy contact")}


@pytest.mark.parametrize("case,update,severity,message", CASES, ids=[c[0] for c in CASES])
def test_each_shape_fires_on_its_bad_fixture(valid, shapes, case, update, severity, message):
    bad = Graph() + valid
    bad.update(PREFIXES + update)
    assert set(bad) != set(valid), "the fixture update changed nothing"
    baseline = {(f.severity, f.message) for f in results(valid, shapes)}
    new = [f for f in results(bad, shapes) if (f.severity, f.message) not in baseline]
    assert any(f.severity == severity and message in f.message for f in new), [(f.severity, f.message) for f in new]


def test_violations_on_a_practice_carry_its_clause_quote(valid, shapes):
    bad = Graph() + valid
    bad.update(PREFIXES + f"DELETE WHERE {{ {P1} pk:hasModality ?m }}")
    [finding] = [f for f in results(bad, shapes) if f.severity == "Violation"]
    assert finding.quote == "We collect your name and e-mail address when you register."


def _in_lists(shapes: Graph, path: URIRef) -> list[set]:
    found = []
    for prop in shapes.subjects(SH.path, path):
        for head in shapes.objects(prop, SH["in"]):
            found.append(set(Collection(shapes, head)))
    return found


@pytest.mark.parametrize("path,cls", [
    (PK.hasModality, PK.Modality), (PK.hasChoiceDefault, PK.ChoiceDefault), (PK.hasIdentifiability, PK.Identifiability),
    (PK.hasCollectionMode, PK.CollectionMode), (PK.hasRetentionType, PK.RetentionType), (PK.citesLaw, PK.Law),
    (PK.claimsSeal, PK.PrivacySeal), (PK.hasRole, PK.Role), (PK.hasRetentionCriterion, PK.RetentionCriterion),
    (PK.hasTransferDestination, PK.Jurisdiction),
])
def test_closed_lists_equal_the_ontology_individuals(shapes, repo, path, cls):
    lists = _in_lists(shapes, path)
    assert lists and all(values == repo.vocabulary.individuals(cls) for values in lists)


def test_the_topic_list_equals_the_ontology_topics(shapes, repo):
    [topics] = [set(Collection(shapes, h)) for q in shapes.subjects(SH.path, RDF.type) for h in
                shapes.objects(shapes.value(q, SH.qualifiedValueShape), SH["in"])]
    assert topics == set(repo.vocabulary.topics)
    silence = {str(shapes.value(s, SH.message)) for s in shapes.subjects(SH.qualifiedMinCount, None)
               if (s, SH.severity, SH.Warning) in shapes}
    assert silence == {f"silent on {repo.vocabulary.label(t)}" for t in repo.vocabulary.core_topics}


def test_the_seeds_have_no_violation_and_warnings_exactly_where_they_are_silent(repo):
    """The completeness warnings must be the topics each policy is really silent on: the golden answer of
    the silent-topics query, which was written by reading the policies."""
    from privacy_kg.validate import validate

    result = validate(repo, whole=False)
    assert result.violations == 0 and result.inconsistent == 0
    warned = {(c.name, f.message.removeprefix("silent on ")) for c in result.companies for f in c.findings if f.message.startswith("silent on") and not f.profile}
    with open(REPO / "queries" / "silent-topics.expected.csv", encoding="utf-8") as f:
        silent = {(row["company"], row["topic"]) for row in csv.DictReader(f)}
    assert warned == silent
    assert ("Cloncom", "children and specific audiences") in warned  # no children's section
    assert all(("Do Not Track" in t) for c, t in warned if c == "voip.com")  # no seed mentions DNT


def test_shacl_enforces_every_datatype_owl_cannot_state_and_agrees_with_the_ontology(shapes, repo):
    """xsd:date and xsd:duration are outside OWL 2's datatype map, so the ontology names them with
    pk:valueDatatype instead of rdfs:range (issue 16 case 30): SHACL is then their only check. Each such
    property needs a sh:datatype shape, and every sh:datatype equals the datatype the build types with."""
    g = repo.vocabulary.graph
    outside_owl = set(g.subjects(PK.valueDatatype, None))
    assert {PK.archivedOn, PK.lastUpdated, PK.hasNoticePeriod, PK.hasRetentionPeriod, PK.hasResponseTime} <= outside_owl
    checked = {}
    for shape, datatype in shapes.subject_objects(SH.datatype):
        path = shapes.value(shape, SH.path)
        if path in repo.vocabulary.graph.subjects(RDF.type, OWL.DatatypeProperty):
            checked.setdefault(path, set()).add(datatype)
    assert outside_owl <= set(checked)
    declared = {p: {g.value(p, PK.valueDatatype) or g.value(p, RDFS.range)} for p in checked if (p, RDFS.range, None) in g or p in outside_owl}
    assert len(declared) >= 10 and declared == {p: checked[p] for p in declared}
    assert all(declared[p] == {repo.vocabulary.property_info(p).range} for p in declared)  # what the build types with
