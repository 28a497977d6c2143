"""Which laws' disclosure requirements apply to a company: `<company> pk:inScopeOf <law>`, stated by the mapping.

Only laws with a jurisdiction (pk:appliesIn, an annotation of the ontology) can be in scope. One is when
- the company's metadata lists a jurisdiction that overlaps the law's: the same one, or one lies within
  the other (pk:withinJurisdiction, followed transitively). A company addressing the EU is in scope of the
  GDPR (EEA); one addressing the whole United States addresses Californians, so it is in scope of the
  CCPA; one addressing any country ("Worldwide") is in scope of every law. The CCPA's thresholds (revenue,
  number of consumers) cannot be read from a policy: the profiles report warnings, never violations;
- or one of its statements cites the law (`laws:`), whatever the statement's modality.
The closure then types the company with the scope class of each profile it falls under (pk:InScopeOfGDPR,
pk:InScopeOfCCPA), which the regulatory shapes target. The seeds list no jurisdiction and cite no law that
has one, so no profile applies to them."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef

from privacy_kg.corpus import Company
from privacy_kg.namespaces import PK, company_iri
from privacy_kg.ontology import Vocabulary


def _within(vocab: Vocabulary, jurisdiction: URIRef) -> frozenset[URIRef]:
    """The jurisdiction and every one it lies within."""
    return vocab._cached("within", jurisdiction, lambda: frozenset(vocab.graph.transitive_objects(jurisdiction, PK.withinJurisdiction)))


def _overlap(vocab: Vocabulary, a: URIRef, b: URIRef) -> bool:
    return a in _within(vocab, b) or b in _within(vocab, a)


def law_jurisdictions(vocab: Vocabulary) -> dict[URIRef, frozenset[URIRef]]:
    """Each law that has a jurisdiction, with its jurisdictions."""
    def compute():
        found: dict[URIRef, set[URIRef]] = {}
        for law, place in vocab.graph.subject_objects(PK.appliesIn):
            found.setdefault(law, set()).add(place)
        return {law: frozenset(places) for law, places in found.items()}
    return vocab._cached("law_jurisdictions", None, compute)


def laws_in_scope(company: Company, vocab: Vocabulary) -> set[URIRef]:
    laws = law_jurisdictions(vocab)
    served = company.metadata.get("jurisdictions", [])
    found = {law for law, places in laws.items() if any(_overlap(vocab, j, p) for j in served for p in places)}
    cited = {law for clause in company.clauses for s in clause.statements for law in s.values.get("laws", [])}
    return found | (cited & set(laws))


def scope_triples(company: Company, vocab: Vocabulary) -> Iterator[tuple]:
    me = company_iri(company.slug)
    for law in sorted(laws_in_scope(company, vocab)):
        yield me, PK.inScopeOf, law
