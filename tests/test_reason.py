"""OWL 2 RL reasoning: inferences through the hierarchies reach the export; clashes are explained."""

from __future__ import annotations

from rdflib import Graph, URIRef

from privacy_kg.namespaces import DPV, PK
from privacy_kg.reason import close
from conftest import export_dataset

VOIP = "https://w3id.org/privacy-kg/id/voipcom/"
CONTACT_SHARING = """PREFIX pk: <https://w3id.org/privacy-kg/ontology#>
SELECT DISTINCT ?practice WHERE { GRAPH ?g { ?practice pk:hasDataType ?d . ?d a %s } }"""


def test_an_email_address_practice_is_found_as_contact_and_personal_data_in_the_export(repo):
    dataset = export_dataset(repo.kg_dir)
    email = {r.practice for r in dataset.query(CONTACT_SHARING % "pk:EmailAddress")}
    contact = {r.practice for r in dataset.query(CONTACT_SHARING % "pk:ContactData")}
    personal = {r.practice for r in dataset.query(CONTACT_SHARING % "pk:PersonalData")}
    dpv_personal = {r.practice for r in dataset.query(CONTACT_SHARING % "<https://w3id.org/dpv#PersonalData>")}
    assert email and email < contact < personal and personal <= dpv_personal
    asserted = Graph().parse(repo.kg_dir / "companies" / "voipcom.ttl")
    individual = URIRef(VOIP + "data-type/email-address")
    assert (individual, None, PK.ContactData) not in asserted  # only the closure says it


def test_practices_get_their_topic_and_modality_classes(repo):
    inferred = Graph().parse(repo.kg_dir / "inferred" / "voipcom.ttl")
    practice = URIRef(VOIP + "practice/children-no-collection-1")
    assert (practice, None, PK.DeniedPractice) in inferred
    assert (practice, None, PK.CollectionAndUse) in inferred
    assert (practice, None, PK.ChildrenAndSpecificAudiences) in inferred  # via hasDataSubject some Child


BAD = """
@prefix pk: <https://w3id.org/privacy-kg/ontology#> .
@prefix x: <https://w3id.org/privacy-kg/id/bad/> .
x:practice\\/p-1 a pk:Practice, pk:Sale ; pk:hasModality pk:Does, pk:DoesNot ; pk:hasEvidence x:clause\\/c .
x:clause\\/c pk:quote "We sell and we do not sell." ; pk:clauseId "c" .
x:data-type\\/d a pk:EmailAddress, pk:Purpose .
"""


def test_clashes_are_explained_with_the_quote(repo):
    closure = close(Graph().parse(data=BAD, format="turtle"), repo.vocabulary.graph, "https://w3id.org/privacy-kg/id/bad/")
    assert not closure.consistent
    text = "\n".join(closure.problems)
    assert 'clause c: "We sell and we do not sell."' in text and "both affirmed practice and denied practice" in text
    assert "'sameAs' and 'AllDifferent'" in text  # functional hasModality merges Does and DoesNot
    assert "DataType and https://w3id.org/privacy-kg/ontology#Purpose have a common individual" in text


def test_a_consistent_graph_has_no_problems(repo):
    good = BAD.replace(", pk:DoesNot", "").replace(", pk:Purpose", "")
    closure = close(Graph().parse(data=good, format="turtle"), repo.vocabulary.graph, "https://w3id.org/privacy-kg/id/bad/")
    assert closure.consistent
    assert (URIRef("https://w3id.org/privacy-kg/id/bad/data-type/d"), None, DPV.PersonalData) in closure.inferred
