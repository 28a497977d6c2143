"""A fast OWL 2 RL materialiser for company graphs, compiled from the ontology's owlrl closure.

owlrl re-runs every OWL 2 RL rule over the ontology and the data until nothing changes (seconds per
company). A company graph is small and its schema is fixed, so the rules this ontology actually uses
are compiled once from the ontology's own owlrl closure into lookup tables, and applied with set
operations in one pass over the data (milliseconds):

  cax-sco / cax-eqc   x a C                  => x a D      for every superclass D of C in the closure
  prp-dom / prp-rng   x p y                  => x a D / y a R
  cls-hv1 / cls-hv2   x a R <=> x p v        for R = (p hasValue v) and the classes equivalent to R
  cls-svf1            x p y, y a D           => x a R      for R = (p someValuesFrom D)

What the fast path does not materialise it detects, and then the caller hands the graph to owlrl (the
reference), so the results are the same by construction: any owl:sameAs between two different terms
(prp-fp on a functional property), any clash (disjoint classes, owl:Nothing, datatype disjointness, a
literal whose lexical form does not fit its datatype), and data that uses schema vocabulary. An
ontology that uses OWL 2 RL constructs beyond these cannot be compiled (`Unsupported`): the caller
then uses owlrl for everything. tests/test_closure.py compares the two on the seeds, OPP-115 (when
present), synthetic companies and deliberately broken graphs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef

TYPE = str(RDF.type)
THING, NOTHING, SAME_AS = str(OWL.Thing), str(OWL.Nothing), str(OWL.sameAs)

# constructs the compiled rules implement (beyond declarations and annotations)
HANDLED = {RDFS.subClassOf, RDFS.domain, RDFS.range, OWL.equivalentClass, OWL.onProperty, OWL.hasValue,
           OWL.someValuesFrom, OWL.disjointWith, OWL.members, OWL.distinctMembers}
UNHANDLED = {RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf, OWL.propertyChainAxiom, OWL.allValuesFrom,
             OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf, OWL.maxCardinality,
             OWL.maxQualifiedCardinality, OWL.hasKey, OWL.propertyDisjointWith, OWL.sourceIndividual,
             OWL.differentFrom}
UNHANDLED_TYPES = {OWL.InverseFunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
                   OWL.AsymmetricProperty, OWL.IrreflexiveProperty, OWL.AllDisjointProperties}
# data triples with these predicates (or typed with these classes) change the schema: owlrl decides
SCHEMA_PREDICATES = {str(p) for p in HANDLED | UNHANDLED | {OWL.sameAs, RDF.first, RDF.rest}}
SCHEMA_TYPES = {str(t) for t in UNHANDLED_TYPES | {OWL.Class, OWL.Restriction, OWL.ObjectProperty, OWL.DatatypeProperty,
                                                   OWL.FunctionalProperty, OWL.AllDifferent, OWL.AllDisjointClasses,
                                                   RDF.Property, RDFS.Class, RDFS.Datatype}}


class Unsupported(Exception):
    """The ontology uses an OWL 2 RL construct the compiled rules do not implement."""


def term(node):
    """The compiled rules' form of an rdflib term: IRIs as plain str, literals and blank nodes as they are."""
    return str(node) if isinstance(node, URIRef) else node


def plain_triples(graph: Iterable) -> set[tuple]:
    return {(term(s), term(p), term(o)) for s, p, o in graph}


@dataclass
class Result:
    triples: set[tuple]  # the closed graph (asserted + inferred)
    needs_reference: list[str] = field(default_factory=list)  # why owlrl must decide; empty: this is exact

    def inferred(self, asserted: set[tuple], namespace: str, trivial: set[str]) -> set[tuple]:
        return {t for t in self.triples - asserted
                if type(t[0]) is str and t[0].startswith(namespace) and not isinstance(t[2], BNode)
                and not (t[1] == TYPE and t[2] in trivial)}


class CompiledOntology:
    """Lookup tables of the owlrl-closed ontology, for the rules listed in the module docstring."""

    def __init__(self, closed: Graph):
        used = sorted({str(p) for p in UNHANDLED for s, o in closed.subject_objects(p) if s != o} |
                      {str(t) for t in UNHANDLED_TYPES if any(closed.triples((None, RDF.type, t)))})
        if used:  # (owlrl states every property a sub- and equivalent property of itself: harmless)
            raise Unsupported(f"the ontology uses {', '.join(used)}")
        self.superclasses: dict = defaultdict(set)
        for c, d in closed.subject_objects(RDFS.subClassOf):
            self.superclasses[term(c)].add(term(d))
        for c, d in closed.subject_objects(OWL.equivalentClass):
            self.superclasses[term(c)].add(term(d))
            self.superclasses[term(d)].add(term(c))
        self.domains = _by_subject(closed, RDFS.domain)
        self.ranges = _by_subject(closed, RDFS.range)
        self.functional = {term(p) for p in closed.subjects(RDF.type, OWL.FunctionalProperty)}
        self.has_value_of_class: dict = defaultdict(list)  # R -> [(p, v)]
        self.has_value_of_property: dict = defaultdict(list)  # p -> [(v, R)]
        self.some_values: dict = defaultdict(list)  # p -> [(D, R)]
        self.some_values_by_class: dict = defaultdict(list)  # D -> [(p, R)]
        for r, v in closed.subject_objects(OWL.hasValue):
            for p in closed.objects(r, OWL.onProperty):
                self.has_value_of_class[term(r)].append((term(p), term(v)))
                self.has_value_of_property[term(p)].append((term(v), term(r)))
        for r, d in closed.subject_objects(OWL.someValuesFrom):
            for p in closed.objects(r, OWL.onProperty):
                self.some_values[term(p)].append((term(d), term(r)))
                self.some_values_by_class[term(d)].append((term(p), term(r)))
        self.disjoint: dict = defaultdict(set)
        for a, b in closed.subject_objects(OWL.disjointWith):
            self.disjoint[term(a)].add(term(b))
            self.disjoint[term(b)].add(term(a))
        for group in closed.subjects(RDF.type, OWL.AllDisjointClasses):
            for head in closed.objects(group, OWL.members):
                members = [term(c) for c in closed.items(head)]
                for a in members:
                    self.disjoint[a].update(m for m in members if m != a)
        for a, _, b in OWLRL_Datatypes_Disjointness:
            self.disjoint[str(a)].add(str(b))
            self.disjoint[str(b)].add(str(a))
        self.ontology_types: dict = defaultdict(set)
        for s, o in closed.subject_objects(RDF.type):
            self.ontology_types[term(s)].add(term(o))
        rule_properties = set(self.domains) | set(self.ranges) | self.functional | set(self.has_value_of_property) | set(self.some_values)
        for p in rule_properties:
            if any(closed.triples((None, URIRef(p), None))):
                raise Unsupported(f"the ontology itself states facts with {p}, which its rules apply to")

    # -- the closure -----------------------------------------------------------------------------
    def close(self, asserted: set[tuple]) -> Result:
        return _Run(self, asserted).result()


def _by_subject(graph: Graph, predicate) -> dict:
    found: dict = defaultdict(set)
    for s, o in graph.subject_objects(predicate):
        found[term(s)].add(term(o))
    return found


_DATATYPE_SUPERS = {str(dt): {str(dt)} | {str(d) for d in OWL_Datatype_Subsumptions.get(dt, ())} for dt in OWL_RL_Datatypes}


class _Run:
    """One closure: a worklist over new triples, with indexes by subject/property and object/property."""

    def __init__(self, onto: CompiledOntology, asserted: set[tuple]):
        self.o = onto
        self.triples: set[tuple] = set()
        self.types: dict = defaultdict(set)
        self.values: dict = defaultdict(set)  # (s, p) -> objects
        self.subjects_of: dict = defaultdict(set)  # (o, p) -> subjects
        self.reasons: list[str] = []
        self.todo: list[tuple] = []
        for t in asserted:
            self._check_input(t)
            self.add(t)
        for node in {x for s, _, o in asserted for x in (s, o)}:
            for c in onto.ontology_types.get(node, ()):
                self.add((node, TYPE, c))
            if isinstance(node, Literal):
                self._literal(node)
        while self.todo:
            self._apply(self.todo.pop())

    def result(self) -> Result:
        return Result(self.triples, self.reasons)

    def _check_input(self, t: tuple) -> None:
        s, p, o = t
        if p in SCHEMA_PREDICATES or (p == TYPE and o in SCHEMA_TYPES):
            self.reasons.append(f"the data uses schema vocabulary: {p} {o}")

    def _literal(self, node: Literal) -> None:
        dt = node.datatype
        if dt is None or dt not in OWL_RL_Datatypes:
            return
        try:
            AltXSDToPYTHON.get(dt, lambda v: v)(str(node))
        except ValueError:
            self.reasons.append(f"the literal {node!r} does not fit its datatype")
        for d in _DATATYPE_SUPERS[str(dt)]:
            self.add((node, TYPE, d))

    def add(self, t: tuple) -> None:
        if t not in self.triples:
            self.triples.add(t)
            self.todo.append(t)

    def add_type(self, x, c) -> None:
        self.add((x, TYPE, c))

    def _apply(self, t: tuple) -> None:
        s, p, o = t
        if p == TYPE:
            self._typed(s, o)
            return
        others = self.values[s, p]
        if p in self.o.functional and others and any(y != o for y in others):
            self.reasons.append(f"{p} is functional and {s} has several values: owl:sameAs follows")
        others.add(o)
        self.subjects_of[o, p].add(s)
        for c in self.o.domains.get(p, ()):
            self.add_type(s, c)
        for c in self.o.ranges.get(p, ()):
            self.add_type(o, c)
        for v, r in self.o.has_value_of_property.get(p, ()):
            if o == v:
                self.add_type(s, r)
        for d, r in self.o.some_values.get(p, ()):
            if d == THING or d in self.types[o]:
                self.add_type(s, r)

    def _typed(self, x, c) -> None:
        types = self.types[x]
        if c in types:
            return
        types.add(c)
        if c == NOTHING:
            self.reasons.append(f"{x} is a member of owl:Nothing")
        clash = self.o.disjoint.get(c)
        if clash and not clash.isdisjoint(types):
            self.reasons.append(f"{x} is a member of disjoint classes {c} and {sorted(map(str, clash & types))}")
        for d in self.o.superclasses.get(c, ()):
            self.add_type(x, d)
        for p, v in self.o.has_value_of_class.get(c, ()):
            self.add((x, p, v))
        for p, r in self.o.some_values_by_class.get(c, ()):
            for u in self.subjects_of.get((x, p), ()):
                self.add_type(u, r)
