"""The ontology parses, is consistent under OWL 2 RL, documents every term and covers the required data."""

from __future__ import annotations

import csv

import owlrl
from owlrl.Namespaces import ERRNS
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from privacy_kg.namespaces import PK, VS
from conftest import SHARED

REQUIRED_DATA = [
    "Name", "PostalAddress", "EmailAddress", "TelephoneNumber", "SocialSecurityNumber", "CreditCardNumber",
    "BillingInformation", "PIN", "IPAddress", "BrowserType", "OperatingSystem", "Cookie", "WebBeacon",
    "PagesVisited", "Timestamp", "ZipCode", "DemographicData", "FriendContactData", "MessageRecipients",
    "CommunicationContent", "AccountCredentials",
]
OPP115_PERSONAL_INFORMATION_TYPES = [
    "Financial", "Health", "Contact", "Location", "Demographic", "Personal identifier", "User online activities",
    "User profile", "Social media data", "IP address and device IDs", "Cookies and tracking elements",
    "Computer information", "Survey data", "Generic personal information",
]


def terms(g: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef) and s.startswith(str(PK))})


def test_every_term_has_label_definition_and_status(repo):
    g = repo.vocabulary.graph
    found = terms(g)
    assert len(found) > 250
    for term in found:
        assert g.value(term, RDFS.label), term
        assert g.value(term, SKOS.definition), term
        assert g.value(term, VS.term_status) == Literal("stable"), term


def test_every_class_maps_to_opp115_or_dpv_where_it_can(repo):
    g = repo.vocabulary.graph
    classes = [t for t in terms(g) if (t, RDF.type, OWL.Class) in g]
    mapped = [c for c in classes if g.value(c, PK.opp115) or any(g.objects(c, SKOS.exactMatch)) or any(g.objects(c, SKOS.closeMatch))]
    assert len(mapped) / len(classes) > 0.95


def test_data_hierarchy_has_three_levels_and_the_required_types(repo):
    vocab = repo.vocabulary
    assert {PK.ContactData, PK.PersonalData, PK.DataType} <= vocab.ancestors(PK.EmailAddress)
    data = vocab.descendants(PK.DataType)
    for name in REQUIRED_DATA:
        assert PK[name] in data, name


def test_every_opp115_personal_information_type_has_a_term(repo):
    g = repo.vocabulary.graph
    notes = [str(o) for o in g.objects(None, PK.opp115)]
    for value in OPP115_PERSONAL_INFORMATION_TYPES:
        assert any(f"Personal Information Type: {value}" in n for n in notes), value


def test_every_topic_and_only_a_topic_links_its_instances_to_itself(repo):
    """pk:hasTopic stands for `a ?t . ?t pk:isTopic true` in queries: one hasValue restriction per topic."""
    g = repo.vocabulary.graph
    linked = {}
    for r in g.subjects(OWL.onProperty, PK.hasTopic):
        (value,) = g.objects(r, OWL.hasValue)
        linked[value] = set(g.subjects(RDFS.subClassOf, r))
    topics = set(g.subjects(PK.isTopic, Literal(True)))
    assert len(topics) >= 10
    assert linked == {t: {t} for t in topics}


def test_ontology_is_consistent_under_owl_rl(repo):
    g = Graph() + repo.vocabulary.graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    assert not list(g.subjects(RDF.type, OWL.Nothing))
    assert not list(g.subjects(RDF.type, ERRNS.ErrorMessage))  # where owlrl records the clashes it detects


@pytest.mark.skipif(not (SHARED / "dpv").exists(), reason="../shared/dpv is not beside the project")
def test_dpv_mappings_name_real_dpv_terms(repo):
    known = set()
    for name in ("dpv.csv", "pd.csv", "legal/eu-gdpr.csv", "legal/legal-eu.csv", "legal/legal-us.csv"):
        with open(SHARED / "dpv" / name, encoding="utf-8") as f:
            known |= {row["iri"] for row in csv.DictReader(f)}
    g = repo.vocabulary.graph
    used = {str(o) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, RDFS.subClassOf) for o in g.objects(None, p)
            if str(o).startswith("https://w3id.org/dpv")}
    assert used and not sorted(used - known)


def test_no_term_has_two_labels_or_two_definitions_in_one_language(repo):
    """A term defined twice (pk:NamedThirdParty was, with two skos:definitions) shows as two values in one
    language of a property that takes one per language."""
    g = repo.vocabulary.graph
    seen: dict[tuple, list[str]] = {}
    for prop in (RDFS.label, SKOS.prefLabel, SKOS.definition, RDFS.comment):
        for s, o in g.subject_objects(prop):
            if isinstance(o, Literal):
                seen.setdefault((s, prop, o.language), []).append(str(o))
    doubled = {f"{s} {p} @{lang}": values for (s, p, lang), values in seen.items() if len(values) > 1}
    assert not doubled


def test_every_property_and_class_the_ontology_uses_is_declared(repo):
    """OWL 2 (DL and RL) profiles need a declaration for each annotation property and class used (issue 16
    case 30: skos:*, dcterms:* and eight dpv: classes were used undeclared)."""
    g = repo.vocabulary.graph
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    declared = {s for k in kinds for s in g.subjects(RDF.type, k)}
    builtin = tuple(str(n) for n in (RDF, RDFS, OWL))
    used = {p for p in g.predicates() if not str(p).startswith(builtin)}
    used |= {o for p in (RDF.type, RDFS.subClassOf) for o in g.objects(None, p)
             if isinstance(o, URIRef) and not str(o).startswith(builtin)}
    assert sorted(map(str, used - declared)) == []
