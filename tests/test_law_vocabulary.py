"""The GDPR / US-state vocabulary of issue 17: every new statement key maps to its property, the values
roll up through the hierarchies, and the closure files rights under the topics they belong to."""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef, XSD

from privacy_kg.mapping import company_graph
from privacy_kg.namespaces import PK
from privacy_kg.reason import close, close_with_owlrl

NEW_KEYS = {
    "legal_basis": PK.hasLegalBasis, "rights": PK.hasRight, "request_methods": PK.hasRequestMethod,
    "response_time": PK.hasResponseTime, "destinations": PK.hasTransferDestination,
    "transfer_mechanisms": PK.hasTransferMechanism, "retention_criterion": PK.hasRetentionCriterion,
    "role": PK.hasRole, "contact": PK.hasContactPoint,
}


def _lawco(make_project):
    project = make_project("lawco")
    [lawco] = project.companies()
    asserted = company_graph(lawco, project.vocabulary, project.keys)
    closed = close(asserted, project.vocabulary.graph, "https://w3id.org/privacy-kg/id/lawco/")
    return project, asserted, asserted + closed.inferred, closed


def _practice(graph, clause_id, *classes):
    clause = URIRef(f"https://w3id.org/privacy-kg/id/lawco/clause/{clause_id}")
    found = [p for p in graph.subjects(PK.hasEvidence, clause) if all((p, RDF.type, c) in graph for c in classes)]
    assert found, (clause_id, classes)
    return found[0]


def test_every_new_key_maps_to_its_property(make_project):
    project, asserted, _, _ = _lawco(make_project)
    for key, prop in NEW_KEYS.items():
        assert project.keys[key].property == prop, key
        assert any(asserted.triples((None, prop, None))), key


def test_values_roll_up_and_enumerations_stay_shared(make_project):
    _, _, g, closed = _lawco(make_project)
    assert closed.consistent
    marketing = _practice(g, "bases", PK.MarketingCommunication)
    [basis] = g.objects(marketing, PK.hasLegalBasis)
    assert {(basis, RDF.type, PK.LegitimateInterests), (basis, RDF.type, PK.LegalBasis)} <= set(g)
    transfer = _practice(g, "transfers", PK.InternationalTransfer)
    assert (transfer, PK.hasTransferDestination, PK.UnitedStates) in g  # an individual, not a per-company copy
    mechanisms = set(g.objects(transfer, PK.hasTransferMechanism))
    assert any((m, RDF.type, PK.AdequacyDecision) in g for m in mechanisms)  # the EU-U.S. DPF is one
    retention = _practice(g, "retention", PK.Retention)
    assert set(g.objects(None, PK.hasRetentionCriterion)) == {PK.WhileAccountActive}
    rights = _practice(g, "rights", PK.RightOffer)
    assert (rights, PK.hasResponseTime, Literal("P30D", datatype=XSD.duration)) in g
    assert any((r, RDF.type, PK.RightToObject) in g for r in g.objects(rights, PK.hasRight))
    assert (_practice(g, "dpo", PK.ContactForPrivacy), PK.hasRole, PK.DataProtectionOfficer) in g
    assert retention


def test_choice_like_rights_and_complaints_fall_under_their_topics(make_project):
    _, _, g, _ = _lawco(make_project)
    rights = _practice(g, "rights", PK.RightOffer)
    assert {(rights, PK.hasTopic, PK.UserAccessEditDeletion), (rights, PK.hasTopic, PK.UserChoiceAndControl)} <= set(g)
    complaint = _practice(g, "complaint", PK.RightOffer)
    assert (complaint, PK.hasTopic, PK.PrivacyContact) in g
    assert (complaint, PK.hasTopic, PK.UserChoiceAndControl) not in g
    signal = _practice(g, "no-sale", PK.OptOutSignalResponse)
    assert (signal, PK.hasTopic, PK.DoNotTrack) in g


def test_the_fast_closure_equals_owlrl_on_the_new_terms(make_project):
    project, asserted, _, closed = _lawco(make_project)
    reference = close_with_owlrl(asserted, project.vocabulary.graph, "https://w3id.org/privacy-kg/id/lawco/")
    assert set(closed.inferred) == set(reference.inferred)


def test_laws_name_dpv_legal_individuals_and_their_jurisdiction(repo):
    g = repo.vocabulary.graph
    from rdflib.namespace import SKOS
    assert (PK.CCPA, SKOS.exactMatch, URIRef("https://w3id.org/dpv/legal/us#law-CA-CCPA")) in g
    assert (PK.GDPR, SKOS.exactMatch, URIRef("https://w3id.org/dpv/legal/eu#law-GDPR")) in g
    for law in (PK.GDPR, PK.UKGDPR, PK.CCPA, PK.CPRA, PK.VCDPA, PK.CPA, PK.CTDPA, PK.UCPA, PK.TDPSA, PK.OCPA):
        assert (law, RDF.type, PK.Law) in g and any(g.objects(law, PK.appliesIn)), law
