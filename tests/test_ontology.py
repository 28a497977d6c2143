"""The ontology parses, is consistent under OWL 2 RL, documents every term and covers the required data."""

from __future__ import annotations

import csv

import owlrl
import pyoxigraph as ox
from owlrl.Namespaces import ERRNS
import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse
from rdflib.namespace import SKOS

from privacy_kg.namespaces import OA, PK, VS
from privacy_kg.shacl import SH
from privacy_kg.store import open_store
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
    matches = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)  # a DPV term, or the DPV term a class narrows
    mapped = [c for c in classes if g.value(c, PK.opp115) or any(g.objects(c, m) for m in matches)]
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


# What a graph uses, as (term, kind): kind "property" must be declared a property, "class" a class, "term" anything.
# One query per kind of source, run on Oxigraph (the ontology, the shapes, or kg/ with every named graph);
# one check (`undeclared`) for all of them.
USES_IN_DATA = """SELECT DISTINCT ?term ?kind WHERE {
    { ?s ?term ?o BIND ("property" AS ?kind) }
    UNION { ?s rdf:type|rdfs:subClassOf ?term FILTER isIRI(?term) BIND ("class" AS ?kind) }
    UNION { ?s ?p ?term FILTER (isIRI(?term) && STRSTARTS(STR(?term), STR(pk:))) BIND ("term" AS ?kind) } }"""
USES_IN_SHAPES = """SELECT DISTINCT ?term ?kind WHERE {
    { ?x sh:path|sh:inversePath|sh:targetSubjectsOf|sh:targetObjectsOf ?term FILTER isIRI(?term) BIND ("property" AS ?kind) }
    UNION { ?x sh:class|sh:targetClass ?term BIND ("class" AS ?kind) }
    UNION { ?x sh:in/rdf:rest*/rdf:first|sh:hasValue ?term FILTER isIRI(?term) BIND ("term" AS ?kind) } }"""
BUILTIN = tuple(str(n) for n in (RDF, RDFS, OWL, XSD))
DECLARATIONS = {"property": (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty), "class": (OWL.Class,),
                "term": (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Class, OWL.NamedIndividual)}


def uses_in_sparql_constraints(shapes: Graph) -> set[tuple]:
    """The properties the SPARQL constraints of a shapes graph match (their basic graph patterns)."""
    prefixes = {str(shapes.value(d, SH.prefix)): Namespace(str(shapes.value(d, SH.namespace))) for d in shapes.objects(None, SH.declare)}
    found = set()
    for select in shapes.objects(None, SH.select):
        def visit(node):
            for s, p, o in getattr(node, "triples", None) or ():
                if isinstance(p, URIRef):
                    found.add((p, Literal("property")))
            return None
        traverse(prepareQuery(str(select), initNs=prefixes).algebra, visitPost=visit)
    return found


def undeclared(uses, ontology: Graph) -> list[str]:
    """The (term, kind) uses the ontology does not declare as that kind (RDF, RDFS, OWL and XSD are built in)."""
    return sorted(f"{kind} {term}" for term, kind in uses if not str(term).startswith(BUILTIN)
                  and not any((term, RDF.type, k) in ontology for k in DECLARATIONS[str(kind)]))


def sparql_uses(store: ox.Store, query: str) -> set[tuple[URIRef, Literal]]:
    prologue = "".join(f"PREFIX {p}: <{n}>\n" for p, n in (("pk", PK), ("sh", SH), ("rdf", RDF), ("rdfs", RDFS)))
    return {(URIRef(row["term"].value), Literal(row["kind"].value))
            for row in store.query(prologue + query, use_default_graph_as_union=True)}


def turtle_store(path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def test_every_property_and_class_the_ontology_uses_is_declared(repo):
    """OWL 2 (DL and RL) profiles need a declaration for each annotation property and class used (issue 16
    case 30: skos:*, dcterms:* and eight dpv: classes were used undeclared)."""
    uses = sparql_uses(turtle_store(repo.ontology_dir / "privacy-kg.ttl"), USES_IN_DATA)
    assert (SKOS.definition, Literal("property")) in uses
    assert undeclared(uses, repo.vocabulary.graph) == []


def test_every_property_class_and_term_the_shapes_use_is_declared(repo):
    """A shape on a misspelt or undeclared property checks nothing: every path, class, target and listed value
    of ontology/shapes.ttl (and every property its SPARQL constraint matches) is an ontology term."""
    shapes = Graph().parse(repo.ontology_dir / "shapes.ttl")
    uses = sparql_uses(turtle_store(repo.ontology_dir / "shapes.ttl"), USES_IN_SHAPES) | uses_in_sparql_constraints(shapes)
    assert {PK.hasModality, PK.quote, OA.hasSelector} <= {term for term, _ in uses}  # the query reaches paths and SPARQL
    assert undeclared(uses, repo.vocabulary.graph) == []


def test_every_property_class_and_ontology_term_the_built_kg_uses_is_declared(repo):
    """Every predicate, every class an individual is typed with, and every pk: term of kg/ (asserted and
    inferred, all companies) is declared in the ontology; the oa: (Web Annotation) terms were not (issue 16)."""
    uses = sparql_uses(open_store(repo.root / "kg"), USES_IN_DATA)
    assert (OA.hasSelector, Literal("property")) in uses and len(uses) > 300
    assert undeclared(uses, repo.vocabulary.graph) == []


def test_undeclared_finds_an_undeclared_property_class_and_term(repo):
    """The check itself: a made-up property, class and pk: value are each reported with their kind."""
    data = ox.Store()
    data.load(b"""@prefix pk: <https://w3id.org/privacy-kg/ontology#> .
        <https://example.org/p> a pk:MadeUpClass ; pk:madeUpProperty pk:MadeUpValue ; pk:hasModality pk:Does .""",
              format=ox.RdfFormat.TURTLE)
    assert undeclared(sparql_uses(data, USES_IN_DATA), repo.vocabulary.graph) == [
        f"class {PK.MadeUpClass}", f"property {PK.madeUpProperty}", f"term {PK.MadeUpClass}", f"term {PK.MadeUpValue}"]


# OWL 2 Profiles §4.2 (OWL 2 RL): the datatypes an OWL 2 RL ontology may use. Not owlrl's list, which adds
# xsd:date and xsd:time; HermiT supports the same map (plus owl:real and owl:rational, not in RL).
OWL2_RL_DATATYPES = {RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal} | {XSD[n] for n in (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short byte "
    "unsignedLong unsignedInt unsignedShort unsignedByte float double string normalizedString token language Name "
    "NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp").split()}


def test_the_ontology_names_only_owl2_rl_datatypes(repo):
    """xsd:date and xsd:duration ranges put the ontology outside OWL 2 RL (and HermiT refused it): an axiom
    may name only a datatype of the OWL 2 RL map, and so may a literal; pk:valueDatatype, an annotation,
    names the datatypes OWL lacks."""
    g = repo.vocabulary.graph
    annotations = set(g.subjects(RDF.type, OWL.AnnotationProperty))
    named = {(p, o) for s, p, o in g if p not in annotations and isinstance(o, URIRef) and str(o).startswith(str(XSD))}
    literals = {o.datatype for o in g.objects() if isinstance(o, Literal) and o.datatype is not None}
    assert sorted(f"{p} {o}" for p, o in named if o not in OWL2_RL_DATATYPES) == []
    assert sorted(map(str, literals - OWL2_RL_DATATYPES)) == []
    assert set(g.objects(None, PK.valueDatatype)) == {XSD.date, XSD.duration}
