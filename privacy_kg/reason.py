"""OWL 2 RL reasoning with owlrl, per company graph.

The ontology's own closure is computed once (per process) and reused; each company graph is closed
together with it, and only the new triples about the company's own resources are kept ("inferred"), so
the export carries what a store without a reasoner needs ("shares an EmailAddress" => "shares
ContactData", a DoesNot practice => pk:DeniedPractice, every practice => its topic). Inconsistencies
(owl:Nothing members, owlrl's clash messages: disjoint classes, functional-property and AllDifferent
clashes) are explained in words with the clause quote behind each practice involved."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef

from privacy_kg.namespaces import PK

# triples every individual gets under OWL 2 RL that carry no information for users
TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
MODALITY_CLASSES = (PK.AffirmedPractice, PK.DeniedPractice, PK.HedgedPractice)


@dataclass
class Closure:
    inferred: Graph
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems


def _expand(graph: Graph) -> None:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)


@lru_cache(maxsize=4)
def _ontology_closure_cached(key: int, ontology: Graph) -> Graph:
    closed = Graph() + ontology
    _expand(closed)
    return closed


def ontology_closure(ontology: Graph) -> Graph:
    """The ontology's OWL-RL closure, computed once per ontology graph (and per process)."""
    return _ontology_closure_cached(id(ontology), ontology)


def close(asserted: Graph, ontology: Graph, namespace: str) -> Closure:
    """Close `asserted` with the ontology; keep the new triples whose subject lies in `namespace`."""
    base = ontology_closure(ontology)
    work = Graph() + base
    work += asserted
    _expand(work)
    inferred = Graph()
    for prefix, ns in asserted.namespaces():
        inferred.bind(prefix, ns)
    for s, p, o in work:
        if not isinstance(s, URIRef) or not str(s).startswith(namespace):
            continue
        if (s, p, o) in asserted or isinstance(o, BNode):
            continue
        if p == OWL.sameAs and s == o or p == RDF.type and o in TRIVIAL_TYPES:
            continue
        inferred.add((s, p, o))
    return Closure(inferred, explain(work, asserted))


def explain(closed: Graph, asserted: Graph) -> list[str]:
    """Readable reasons why a closed graph is inconsistent (empty when it is consistent)."""
    problems = []
    for member in sorted(closed.subjects(RDF.type, OWL.Nothing)):
        problems.append(f"{_describe(member, asserted)} is a member of owl:Nothing (it cannot exist)")
    for practice in sorted(set(closed.subjects(RDF.type, PK.Practice))):
        modalities = [c for c in MODALITY_CLASSES if (practice, RDF.type, c) in closed]
        if len(modalities) > 1:
            said = " and ".join(str(closed.value(c, RDFS.label) or c) for c in modalities)
            problems.append(f"{_describe(practice, asserted)} is stated as both {said}: its modalities are disjoint")
    for message in sorted(closed.subjects(RDF.type, ERRNS.ErrorMessage)):
        text = str(closed.value(message, ERRNS.error) or "")
        if text:
            problems.append(f"OWL 2 RL clash: {' '.join(text.split())}")
    return problems


def _describe(node: URIRef, asserted: Graph) -> str:
    clause = asserted.value(node, PK.hasEvidence)
    quote = asserted.value(clause, PK.quote) if clause is not None else None
    if isinstance(quote, Literal):
        short = " ".join(str(quote).split())
        return f"<{node}> (clause {asserted.value(clause, PK.clauseId)}: \"{short[:160]}{'…' if len(short) > 160 else ''}\")"
    return f"<{node}>"
