"""Issue 17, "Done when": each term of the ontology's current-law section is used by a tag in the corpus
(corpus/<slug>/, and the test fixtures in tests/fixtures/corpus/), or is listed in ontology/kept-terms.yaml
with the reason it is kept (DPV or OPP-115 alignment, a law or a jurisdiction no policy names yet...).
A class counts as used when it, a class below it or one of its individuals is tagged (the closure rolls
tags up to it), a jurisdiction when a law cited applies there. The test
reads whatever companies are there, so it gets stricter as tagged policies land; a kept term that comes into
use must leave the list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from privacy_kg.corpus import load_corpus
from privacy_kg.namespaces import PK
from privacy_kg.ontology import ONTOLOGY_FILE
from conftest import FIXTURES, REPO

SECTION = "#### Current privacy law"
KEPT = REPO / "ontology" / "kept-terms.yaml"


def section_terms(ontology: Path) -> set[URIRef]:
    """The pk: terms the current-law section defines (labels them): its text parsed with the file's prefixes."""
    lines = ontology.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(SECTION))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#### ")), len(lines))
    prefixes = [line for line in lines if line.startswith("@prefix")]
    section = Graph().parse(data="\n".join(prefixes + lines[start:end]), format="turtle")
    return {s for s in section.subjects(RDFS.label, None) if isinstance(s, URIRef) and s.startswith(str(PK))}


def used_terms(repo) -> set[URIRef]:
    """Every term a company of corpus/ or tests/fixtures/corpus/ uses: statement values (party keys as
    their classes), the properties of the keys it uses, and metadata jurisdictions; with every superclass."""
    vocab, keys = repo.vocabulary, repo.keys
    found: set[URIRef] = set()
    for corpus in (repo.corpus_dir, FIXTURES / "corpus"):
        for company in load_corpus(corpus, vocab, keys):
            found.update(j for j in company.metadata.get("jurisdictions") or [] if isinstance(j, URIRef))
            for clause in company.clauses:
                for statement in clause.statements:
                    for key, values in statement.values.items():
                        found.add(keys[key].property)
                        for value in values:
                            party = company.parties.get(value) if isinstance(value, str) else None
                            found.add(party.cls if party else value)
    return reachable(vocab.graph, {term for term in found if isinstance(term, URIRef)}, vocab)


def reachable(ontology: Graph, terms: set[URIRef], vocab) -> set[URIRef]:
    """The terms, the classes of the individuals among them, every superclass, and the jurisdictions of the
    laws among them (pk:appliesIn, which the laws-cited query reports), pk:appliesIn itself included."""
    classes = {c for t in terms for c in ontology.objects(t, RDF.type) if c != OWL.NamedIndividual}
    places = {j for t in terms for j in ontology.objects(t, PK.appliesIn)}
    found = terms | classes | places | ({PK.appliesIn} if places else set())
    found |= {c for p in places for c in ontology.objects(p, RDF.type) if c != OWL.NamedIndividual}
    return {a for term in found for a in vocab.ancestors(term) | {term}}


def kept_terms() -> dict[URIRef, str]:
    entries = yaml.safe_load(KEPT.read_text(encoding="utf-8")) or {}
    return {URIRef(str(PK) + name.removeprefix("pk:")): reason for name, reason in entries.items()}


@pytest.fixture(scope="module")
def usage(repo):
    return section_terms(repo.ontology_dir / ONTOLOGY_FILE), used_terms(repo), kept_terms()


def short(terms) -> list[str]:
    return sorted("pk:" + t[len(str(PK)):] for t in terms)


def test_the_section_is_found_whole(usage):
    terms, _, _ = usage
    assert {PK.RightOffer, PK.LegitimateInterestsOfCompany, PK.GlobalPrivacyControl, PK.NevadaPrivacyLaw, PK.hasRole} <= terms
    assert PK.Sale not in terms and PK.GDPR not in terms  # defined before the section (the section only aligns GDPR)


def test_every_current_law_term_is_used_or_kept_for_a_reason(usage):
    terms, used, kept = usage
    unexplained = terms - used - set(kept)
    assert not unexplained, ("current-law terms no tag uses and ontology/kept-terms.yaml does not keep: "
                             f"{', '.join(short(unexplained))}; tag them or keep them with the reason")


def test_kept_terms_are_section_terms_still_unused_each_with_a_reason(usage):
    terms, used, kept = usage
    assert not set(kept) - terms, f"kept-terms.yaml names terms outside the current-law section: {short(set(kept) - terms)}"
    assert not set(kept) & used, f"now used, remove them from ontology/kept-terms.yaml: {', '.join(short(set(kept) & used))}"
    vague = [t for t, reason in kept.items() if not isinstance(reason, str) or len(re.findall(r"\w+", reason)) < 4]
    assert not vague, f"give each kept term its reason (a sentence): {short(vague)}"
