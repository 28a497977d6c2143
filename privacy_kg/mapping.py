"""Tagged clauses -> RDF: one graph per company, practice nodes with provenance to the quoted clause.

Each kind of thing has one small builder that returns its triples; the statement keys are mapped by the
table in mappings/statement-keys.yaml. The IRI scheme (namespaces.py) uses slugs and clause ids only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from privacy_kg.corpus import Clause, Company, Statement
from privacy_kg.namespaces import OA, PK, PREFIXES, PROV, company_iri, kebab, local_name, node, version_graph, version_iri
from privacy_kg.ontology import Vocabulary
from privacy_kg.scope import scope_triples
from privacy_kg.statement_keys import KeySpec

Triple = tuple[URIRef, URIRef, Any]
CONTEXT = 32  # characters of prefix/suffix kept in the TextQuoteSelector


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def company_graph(company: Company, vocab: Vocabulary, keys: dict[str, KeySpec]) -> Graph:
    g = new_graph()
    g.bind("c", URIRef(str(company_iri(company.slug)) + "/"))
    for triple in all_triples(company, vocab, keys):
        g.add(triple)
    return g


def all_triples(company: Company, vocab: Vocabulary, keys: dict[str, KeySpec]) -> Iterator[Triple]:
    """Every asserted triple of the company graph: the company and its policy, the laws in scope, the
    clauses and their practices."""
    yield from company_triples(company)
    yield from scope_triples(company, vocab)
    for clause in company.clauses:
        yield from clause_triples(company, clause)
        for statement in clause.statements:
            yield from practice_triples(company, clause, statement, vocab, keys)


def _literal(value: Any, datatype: URIRef | None = None) -> Literal:
    return Literal(str(value), datatype=datatype) if datatype else Literal(value)


def company_triples(company: Company) -> Iterator[Triple]:
    meta, slug = company.metadata, company.slug
    me, policy, text = company_iri(slug), node(slug, "policy"), node(slug, "policy", "text")
    yield me, RDF.type, PK.Company
    yield me, RDF.type, PK.FirstParty
    yield me, PK.tag, PK.FirstParty
    yield me, RDFS.label, Literal(meta["name"])
    yield me, PK.slug, Literal(slug)
    yield me, PK.sector, Literal(meta["sector"])
    if meta.get("website"):
        yield me, PK.website, _literal(meta["website"], XSD.anyURI)
    for seal in meta.get("seals", []):
        yield me, PK.claimsSeal, seal
    for jurisdiction in meta.get("jurisdictions", []):
        yield me, PK.operatesIn, jurisdiction
    yield policy, RDF.type, PK.Policy
    yield policy, RDFS.label, Literal(f"{meta['name']} privacy policy")
    yield policy, PK.ofCompany, me
    yield policy, PK.hasText, text
    for key, prop, datatype in (
        ("source_url", PK.sourceUrl, XSD.anyURI),
        ("archive_url", PK.archiveUrl, XSD.anyURI),
        ("archived_on", PK.archivedOn, XSD.date),
        ("last_updated", PK.lastUpdated, XSD.date),
        ("copyright", PK.copyrightYears, None),
        ("licence", DCTERMS.license, None),
        ("attribution", PK.attribution, None),
    ):
        if meta.get(key):
            yield policy, prop, URIRef(meta[key]) if prop == DCTERMS.license else _literal(meta[key], datatype)
    yield from _ota_triples(policy, meta)
    yield text, RDF.type, PK.PolicyText
    yield text, DCTERMS.source, Literal(company.source or f"corpus/{company.label}/policy.txt")
    yield text, DCTERMS["format"], Literal(meta.get("format", "text/plain"))
    yield text, PK.textSha256, Literal(company.text_sha256)
    yield text, PK.characterCount, Literal(len(company.text), datatype=XSD.nonNegativeInteger)
    for party in company.parties.values():
        iri = node(slug, "party", party.key)
        yield iri, RDF.type, party.cls
        yield iri, RDF.type, PK.NamedThirdParty
        yield iri, PK.tag, party.cls
        yield iri, RDFS.label, Literal(party.name)
    yield from version_triples(company)


def _ota_triples(subject: URIRef, meta: dict) -> Iterator[Triple]:
    ota = meta.get("ota") or {}
    if ota:
        yield subject, PK.otaRepository, _literal(ota["repository"], XSD.anyURI)
        yield subject, PK.otaService, Literal(ota["service"])
        yield subject, PK.otaCommit, Literal(ota["commit"])
        yield subject, PK.otaSnapshot, Literal(ota["snapshot"])


def version_triples(company: Company) -> Iterator[Triple]:
    """The version this graph holds, in PROV-O: recorded on its archived_on (none when that is unknown), a
    specialisation of the policy, a revision of the version before it, with its source and its graph."""
    recorded, meta, slug = company.recorded, company.metadata, company.slug
    if recorded is None:
        return
    version = version_iri(slug, recorded)
    yield version, RDF.type, PK.PolicyVersion
    yield version, RDFS.label, Literal(f"{meta['name']} privacy policy, recorded {recorded}")
    yield version, PROV.specializationOf, node(slug, "policy")
    yield version, PROV.generatedAtTime, Literal(recorded, datatype=XSD.date)
    yield version, PK.versionGraph, version_graph(slug, company.version)
    if company.previous is not None:
        yield version, PROV.wasRevisionOf, version_iri(slug, company.previous)
    if company.carried:
        yield version, PK.isCarried, Literal(True)
    if meta.get("last_updated"):
        yield version, PK.lastUpdated, _literal(meta["last_updated"], XSD.date)
    yield from _ota_triples(version, meta)


def clause_triples(company: Company, clause: Clause) -> Iterator[Triple]:
    """The clause as a W3C Web Annotation specific resource of the policy text, with a quote selector
    (exact text plus context) and a position selector (code-point offsets)."""
    slug, text = company.slug, company.text
    iri = node(slug, "clause", clause.id)
    quote_sel, position_sel = node(slug, "clause", clause.id, "quote"), node(slug, "clause", clause.id, "position")
    yield iri, RDF.type, PK.Clause
    yield iri, RDF.type, OA.SpecificResource
    yield iri, PK.clauseId, Literal(clause.id)
    yield iri, PK.quote, Literal(clause.quote)
    yield iri, PK.inPolicy, node(slug, "policy")
    yield iri, OA.hasSource, node(slug, "policy", "text")
    yield iri, OA.hasSelector, quote_sel
    yield iri, OA.hasSelector, position_sel
    yield quote_sel, RDF.type, OA.TextQuoteSelector
    yield quote_sel, OA.exact, Literal(clause.quote)
    yield quote_sel, OA.prefix, Literal(text[max(0, clause.start - CONTEXT) : clause.start])
    yield quote_sel, OA.suffix, Literal(text[clause.end : clause.end + CONTEXT])
    yield position_sel, RDF.type, OA.TextPositionSelector
    yield position_sel, OA.start, Literal(clause.start, datatype=XSD.nonNegativeInteger)
    yield position_sel, OA.end, Literal(clause.end, datatype=XSD.nonNegativeInteger)


def practice_iri(slug: str, clause_id: str, index: int) -> URIRef:
    return node(slug, "practice", f"{clause_id}-{index}")


def practice_triples(company: Company, clause: Clause, statement: Statement, vocab: Vocabulary,
                     keys: dict[str, KeySpec]) -> Iterator[Triple]:
    slug = company.slug
    practice = practice_iri(slug, clause.id, statement.index)
    yield practice, RDF.type, PK.Practice
    yield practice, PK.hasEvidence, node(slug, "clause", clause.id)
    yield practice, PK.statedBy, company_iri(slug)
    if "actor" not in statement.values:
        yield practice, PK.hasActor, company_iri(slug)
    if clause.proposed:
        yield practice, PK.isProposed, Literal(True)
        if clause.confidence is not None:
            yield practice, PK.hasConfidence, Literal(round(float(clause.confidence), 3), datatype=XSD.decimal)
    for key, values in statement.values.items():
        spec = keys[key]
        for value in values:
            yield from value_triples(company, practice, spec, value, vocab)


def value_triples(company: Company, practice: URIRef, spec: KeySpec, value: Any, vocab: Vocabulary) -> Iterator[Triple]:
    if spec.key == "practice":
        yield practice, RDF.type, value
        yield practice, PK.tag, value
    elif spec.info is None:  # notes (rdfs:comment)
        yield practice, spec.property, Literal(value)
    elif spec.info.kind == "literal":
        yield practice, spec.property, Literal(value, datatype=spec.info.range)
    elif spec.info.kind == "enum":
        yield practice, spec.property, value
    elif value in company.parties:  # a named party of the metadata
        yield practice, spec.property, node(company.slug, "party", value)
    elif value == PK.FirstParty:
        yield practice, spec.property, company_iri(company.slug)
    else:
        yield from individual_triples(company, practice, spec, value, vocab)


def individual_triples(company: Company, practice: URIRef, spec: KeySpec, cls: URIRef, vocab: Vocabulary) -> Iterator[Triple]:
    """A per-company individual typed with the tagged class: `<id>/<slug>/<range>/<term>`."""
    individual = node(company.slug, kebab(local_name(spec.info.range)), kebab(local_name(cls)))
    yield practice, spec.property, individual
    yield individual, RDF.type, cls
    yield individual, PK.tag, cls
    yield individual, RDFS.label, Literal(vocab.label(cls))
