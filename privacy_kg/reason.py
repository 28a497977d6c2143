"""OWL 2 RL reasoning per company graph: owlrl as the reference, a compiled fast path (closure.py) first.

The ontology's own closure is computed once (per process) with owlrl and compiled into lookup tables;
each company graph is closed with them, and only the new triples about the company's own resources are
kept ("inferred"). When the fast path meets anything it does not model (owl:sameAs, a clash, schema
triples in the data) the company graph is closed by owlrl together with the ontology closure, so
the export carries what a store without a reasoner needs ("shares an EmailAddress" => "shares
ContactData", a DoesNot practice => pk:DeniedPractice, every practice => its topic). Inconsistencies
(owl:Nothing members, owlrl's clash messages: disjoint classes, functional-property and AllDifferent
clashes) are explained in words with the clause quote behind each practice involved."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef

from privacy_kg import long_lived
from privacy_kg.closure import CompiledOntology, Unsupported, plain_triples
from privacy_kg.namespaces import PK

# triples every individual gets under OWL 2 RL that carry no information for users
TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
TRIVIAL = {str(t) for t in TRIVIAL_TYPES}
MODALITY_CLASSES = (PK.AffirmedPractice, PK.DeniedPractice, PK.HedgedPractice)
MODALITIES = {str(c) for c in MODALITY_CLASSES}
PRACTICE, TYPE = str(PK.Practice), str(RDF.type)


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


CACHE = Path(os.environ.get("PRIVACY_KG_CACHE") or Path(tempfile.gettempdir()) / "privacy-kg-cache")


@long_lived.cache(maxsize=4)
def _compiled_cached(key: int, ontology: Graph) -> CompiledOntology | None:
    """Compiled from owlrl's closure of the ontology; kept on disk by the ontology's content hash (plus
    owlrl's and the compiler's versions), so a new process does not close the ontology again."""
    import owlrl as _owlrl
    import privacy_kg.closure as compiler

    anonymous = lambda t: "_" if isinstance(t, BNode) else t.n3()  # noqa: E731
    fingerprint = hashlib.sha256("\n".join(sorted(f"{anonymous(s)} {p.n3()} {anonymous(o)}" for s, p, o in ontology)).encode()
                                 + _owlrl.__version__.encode()
                                 + Path(compiler.__file__).read_bytes()).hexdigest()
    cached = CACHE / f"ontology-{fingerprint}.pickle"
    try:
        return pickle.loads(cached.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    try:
        result = CompiledOntology(ontology_closure(ontology))
    except Unsupported as e:
        warnings.warn(f"OWL 2 RL fast path unavailable ({e}); using owlrl for every company", stacklevel=2)
        result = None
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(result))
        tmp.replace(cached)
    except OSError:
        pass  # a read-only temp folder only costs the closure next time
    return result


def compiled(ontology: Graph) -> CompiledOntology | None:
    """The ontology compiled for the fast closure (once per ontology graph and process), or None."""
    return _compiled_cached(id(ontology), ontology)


def close_triples(asserted: set[tuple], ontology: Graph, namespace: str) -> tuple[set[tuple], list[str]] | None:
    """The fast path on plain triples (closure.term form): (inferred triples, []) when it is exact for
    this graph, else None (the graph needs owlrl: call `close`)."""
    onto = compiled(ontology)
    if onto is None:
        return None
    result = onto.close(asserted)
    if result.needs_reference or _modality_clash(result.triples):
        return None
    return result.inferred(asserted, namespace, TRIVIAL), []


def _modality_clash(triples: set[tuple]) -> bool:
    """What `explain` reports beyond owlrl's own errors: a practice in two modality classes."""
    seen: dict = {}
    for s, p, o in triples:
        if p == TYPE and o in MODALITIES:
            seen[s] = seen.get(s, 0) + 1
            if seen[s] > 1:
                return True
    return False


def close(asserted: Graph, ontology: Graph, namespace: str) -> Closure:
    """Close `asserted` with the ontology; keep the new triples whose subject lies in `namespace`.
    The compiled fast path when it is exact for this graph, otherwise owlrl."""
    fast = close_triples(plain_triples(asserted), ontology, namespace)
    if fast is None:
        return close_with_owlrl(asserted, ontology, namespace)
    inferred = Graph()
    for prefix, ns in asserted.namespaces():
        inferred.bind(prefix, ns)
    for s, p, o in fast[0]:
        inferred.add((URIRef(s), URIRef(p), URIRef(o) if type(o) is str else o))
    return Closure(inferred, [])


def close_with_owlrl(asserted: Graph, ontology: Graph, namespace: str) -> Closure:
    """The reference: owlrl over the ontology closure and the company graph."""
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
