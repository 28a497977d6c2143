"""A fast SHACL engine for company graphs, behind the same shapes file as pyshacl.

pyshacl takes about two seconds per company graph. The shapes (ontology/shapes.ttl) are compiled once into
plain Python checks over an index of the graph (milliseconds per company); the SPARQL-based constraints
run on a small in-memory Oxigraph store. The results are the ones pyshacl reports: same focus node,
path, value, severity, message, source shape, constraint component; tests/test_shacl_engine.py compares
the two on every shape's failing fixture, the seeds, OPP-115 (when present) and synthetic companies.

Supported (what the shapes use): targets sh:targetClass, sh:targetSubjectsOf, sh:targetObjectsOf;
paths: an IRI or sh:inversePath; constraints sh:minCount, sh:maxCount, sh:class, sh:datatype, sh:in,
sh:pattern (with sh:flags), sh:minLength, sh:minInclusive, sh:maxInclusive, sh:lessThan, sh:nodeKind,
sh:or, sh:qualifiedValueShape with sh:qualifiedMinCount/MaxCount, sh:sparql (SELECT); sh:severity and
sh:message. Shapes using anything else of SHACL raise `Unsupported` when compiled; the caller then uses
pyshacl. Predicates outside SHACL's namespace on a shape (rdfs:label, dcterms:source, pks:...) are
annotations: they change nothing, for pyshacl either."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent
from pyshacl.rdfutil.compare import compare_literal
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from privacy_kg.closure import term

SH = Namespace("http://www.w3.org/ns/shacl#")
TYPE, SUBCLASS = str(RDF.type), str(RDFS.subClassOf)

SHAPE_KEYS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.path, SH.message, SH.severity,
              SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH["in"], SH.pattern, SH.flags, SH.minLength,
              SH.minInclusive, SH.maxInclusive, SH.lessThan, SH.nodeKind, SH["or"], SH.qualifiedValueShape,
              SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.sparql, SH.declare, SH.name, SH.description,
              RDF.type, RDFS.label, RDFS.comment}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement: use pyshacl."""


@dataclass(frozen=True)
class Result:
    focus: object
    severity: URIRef
    component: URIRef
    shape: object  # the shape node in the shapes graph (IRI or blank node)
    message: str
    path: object = None  # the shape's sh:path node (IRI or blank node), or None
    value: object = None
    constraint: object = None  # the sh:sparql node, for SPARQL-based constraints


class Index:
    """A company graph (closure.term form) indexed by subject and by object."""

    def __init__(self, triples: set[tuple], strict: bool = True):
        self.triples = triples
        self.out: dict = defaultdict(lambda: defaultdict(set))
        self.inn: dict = defaultdict(lambda: defaultdict(set))
        for s, p, o in triples:
            self.out[s][p].add(o)
            self.inn[o][p].add(s)
        if strict and any(p == SUBCLASS for _, p, _ in triples):
            raise Unsupported("the data graph has rdfs:subClassOf triples (sh:class would follow them)")

    def objects(self, s, p) -> set:
        found = self.out.get(s)
        return found.get(p, set()) if found else set()

    def subjects(self, p, o) -> set:
        found = self.inn.get(o)
        return found.get(p, set()) if found else set()

    def instances(self, cls) -> set:
        return self.subjects(TYPE, cls)

    def is_a(self, node, cls) -> bool:
        return cls in self.objects(node, TYPE)

    def subjects_of(self, p) -> set:
        return {s for s, props in self.out.items() if p in props}

    def objects_of(self, p) -> set:
        return {o for o, props in self.inn.items() if p in props}


# -- compiled shapes --------------------------------------------------------------------------------

@dataclass
class Path:
    node: object  # as in the shapes graph
    predicate: str
    inverse: bool

    def values(self, data: Index, focus) -> set:
        return data.subjects(self.predicate, focus) if self.inverse else data.objects(focus, self.predicate)


@dataclass
class Shape:
    node: object
    severity: URIRef
    message: str | None
    path: Path | None = None
    targets: list[tuple[str, str]] = field(default_factory=list)  # (kind, term)
    checks: list = field(default_factory=list)  # callables(data, focus, values) -> [(component, value)]
    properties: list["Shape"] = field(default_factory=list)
    sparql: list["SparqlConstraint"] = field(default_factory=list)


@dataclass
class SparqlConstraint:
    node: object
    query: str
    message: str | None
    per_focus: bool  # bind $this per focus node (substitution) instead of joining on it


class CompiledShapes:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.shapes: list[Shape] = []
        for node in sorted({s for s in shapes.subjects(RDF.type, SH.NodeShape)} |
                           {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf) for s in shapes.subjects(p, None)}, key=str):
            self.shapes.append(self._shape(node, top=True))

    # -- compiling ---------------------------------------------------------------------------------
    def _one(self, node, p):
        values = list(self.g.objects(node, p))
        if len(values) > 1:
            raise Unsupported(f"{node} has several {p}")
        return values[0] if values else None

    def _shape(self, node, top: bool = False, inner: bool = False) -> Shape:
        unknown = {p for p in self.g.predicates(node, None) if p.startswith(str(SH))} - SHAPE_KEYS
        if unknown:
            raise Unsupported(f"shape {node} uses {sorted(map(str, unknown))}")
        message = self._one(node, SH.message)
        shape = Shape(node, self._one(node, SH.severity) or SH.Violation, None if message is None else str(message))
        if (node, SH.deactivated, None) in self.g:
            raise Unsupported("sh:deactivated")
        path = self._one(node, SH.path)
        if path is not None:
            shape.path = self._path(path)
        for kind in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
            shape.targets += [(str(kind), term(t)) for t in self.g.objects(node, kind)]
        if shape.targets and not top:
            raise Unsupported("targets on a nested shape")
        shape.checks = self._checks(node, shape)
        shape.properties = [self._shape(p) for p in self.g.objects(node, SH.property)]
        for constraint in self.g.objects(node, SH.sparql):
            shape.sparql.append(self._sparql(constraint))
        if not inner and shape.message is None and (shape.checks or any(c.message is None for c in shape.sparql)):
            raise Unsupported(f"shape {node} has no sh:message (pyshacl would write a generic one)")
        return shape

    def _path(self, node) -> Path:
        if isinstance(node, URIRef):
            return Path(node, str(node), False)
        inverse = self._one(node, SH.inversePath)
        if isinstance(inverse, URIRef) and len(list(self.g.predicate_objects(node))) == 1:
            return Path(node, str(inverse), True)
        raise Unsupported(f"path {node}: only IRIs and sh:inversePath of an IRI are supported")

    def _sparql(self, node) -> SparqlConstraint:
        select = self._one(node, SH.select)
        if select is None:
            raise Unsupported("SPARQL constraint without sh:select")
        prefixes = ""
        for source in self.g.objects(node, SH.prefixes):
            for declaration in self.g.objects(source, SH.declare):
                prefixes += f"PREFIX {self._one(declaration, SH.prefix)}: <{self._one(declaration, SH.namespace)}>\n"
        text = str(select)
        per_focus = bool(re.search(r"\b(OPTIONAL|MINUS|EXISTS|SERVICE|GRAPH|VALUES|UNION)\b|\{\s*SELECT", text, re.I)) or \
            not re.search(r"\$this\s+[<?$a-zA-Z]", text)
        message = self._one(node, SH.message)
        return SparqlConstraint(node, prefixes + text, None if message is None else str(message), per_focus)

    def _checks(self, node, shape: Shape) -> list:
        g, checks = self.g, []
        one = lambda p: self._one(node, p)  # noqa: E731
        if one(SH.minCount) is not None:
            n = int(one(SH.minCount))
            checks.append(lambda d, f, vs: [(SH.MinCountConstraintComponent, None)] if len(vs) < n else [])
        if one(SH.maxCount) is not None:
            m = int(one(SH.maxCount))
            checks.append(lambda d, f, vs: [(SH.MaxCountConstraintComponent, None)] if len(vs) > m else [])
        if one(SH["class"]) is not None:
            cls = term(one(SH["class"]))
            checks.append(lambda d, f, vs: [(SH.ClassConstraintComponent, v) for v in vs if not d.is_a(v, cls)])
        if one(SH.datatype) is not None:
            dt = one(SH.datatype)
            checks.append(lambda d, f, vs: [(SH.DatatypeConstraintComponent, v) for v in vs if not _has_datatype(v, dt)])
        if one(SH["in"]) is not None:
            allowed = {term(x) for x in Collection(g, one(SH["in"]))}
            checks.append(lambda d, f, vs: [(SH.InConstraintComponent, v) for v in vs if v not in allowed])
        if one(SH.pattern) is not None:
            flags = one(SH.flags)
            regex = re.compile(str(one(SH.pattern)), re.I if flags and "i" in str(flags).lower() else 0)
            if flags and set(str(flags).lower()) - {"i"}:
                raise Unsupported("sh:flags other than i")
            checks.append(lambda d, f, vs: [(SH.PatternConstraintComponent, v) for v in vs
                                            if isinstance(v, BNode) or not regex.search(str(v))])
        if one(SH.minLength) is not None:
            n = int(one(SH.minLength))
            checks.append(lambda d, f, vs: [(SH.MinLengthConstraintComponent, v) for v in vs
                                            if isinstance(v, BNode) or len(str(v)) < n])
        for key, component, sign in ((SH.minInclusive, SH.MinInclusiveConstraintComponent, -1),
                                     (SH.maxInclusive, SH.MaxInclusiveConstraintComponent, 1)):
            if one(key) is not None:
                checks.append(_range_check(one(key), component, sign))
        if one(SH.lessThan) is not None:
            other = str(one(SH.lessThan))
            checks.append(lambda d, f, vs: [(SH.LessThanConstraintComponent, v) for v in vs
                                            for w in d.objects(f, other) if not _less_than(v, w)])
        if one(SH.nodeKind) is not None:
            if one(SH.nodeKind) != SH.IRI:
                raise Unsupported("sh:nodeKind other than sh:IRI")
            checks.append(lambda d, f, vs: [(SH.NodeKindConstraintComponent, v) for v in vs if type(v) is not str])
        if one(SH["or"]) is not None:
            members = [self._shape(m, inner=True) for m in Collection(g, one(SH["or"]))]
            checks.append(lambda d, f, vs: [(SH.OrConstraintComponent, v) for v in vs
                                            if not any(self.conforms(m, d, v) for m in members)])
        if one(SH.qualifiedValueShape) is not None:
            inner = self._shape(one(SH.qualifiedValueShape), inner=True)
            low, high = one(SH.qualifiedMinCount), one(SH.qualifiedMaxCount)
            if (node, SH.qualifiedValueShapesDisjoint, None) in g:
                raise Unsupported("sh:qualifiedValueShapesDisjoint")

            def qualified(d, f, vs, inner=inner, low=low, high=high):
                n = sum(self.conforms(inner, d, v) for v in vs)
                found = []
                if low is not None and n < int(low):
                    found.append((SH.QualifiedMinCountConstraintComponent, None))
                if high is not None and n > int(high):
                    found.append((SH.QualifiedMaxCountConstraintComponent, None))
                return found
            checks.append(qualified)
        return checks

    # -- validating --------------------------------------------------------------------------------
    def focus_nodes(self, shape: Shape, data: Index) -> set:
        found = set()
        for kind, t in shape.targets:
            if kind == str(SH.targetClass):
                found |= data.instances(t)
            elif kind == str(SH.targetSubjectsOf):
                found |= data.subjects_of(t)
            else:
                found |= data.objects_of(t)
        return found

    def conforms(self, shape: Shape, data: Index, focus) -> bool:
        return not self._results(shape, data, focus, stop_early=True)

    def _results(self, shape: Shape, data: Index, focus, stop_early: bool = False) -> list[Result]:
        results = []
        values = shape.path.values(data, focus) if shape.path else {focus}
        for check in shape.checks:
            for component, value in check(data, focus, values):
                results.append(Result(focus, shape.severity, component, shape.node, shape.message or "",
                                      shape.path.node if shape.path else None, value))
                if stop_early:
                    return results
        for prop in shape.properties:
            for value in values:
                results += self._results(prop, data, value, stop_early)
                if stop_early and results:
                    return results
        return results

    def validate(self, triples: set[tuple], store: "ox.Store | None" = None) -> list[Result]:
        data = Index(triples)
        results = []
        for shape in self.shapes:
            focus = self.focus_nodes(shape, data)
            for node in focus:
                results += self._results(shape, data, node)
            for constraint in shape.sparql:
                store = store if store is not None else to_store(triples)
                results += _sparql_results(shape, constraint, store, focus)
        return results


def _has_datatype(v, dt) -> bool:
    """pyshacl's sh:datatype test."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        return getattr(v, "ill_typed", None) is not True and DatatypeConstraintComponent._assert_actual_datatype(None, v, dt)
    if dt == RDFS.Literal:
        return True
    if dt == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and dt == XSD.string:
        return DatatypeConstraintComponent._assert_actual_datatype(None, v, dt)
    if dt == RDF.langString and v.language:
        return DatatypeConstraintComponent._assert_actual_datatype(None, v, dt)
    return False


def _range_check(bound: Literal, component, sign: int):
    """sh:minInclusive (sign -1) / sh:maxInclusive (sign 1), compared as pyshacl does."""
    bound_is_string = isinstance(bound.value, str)

    def ok(v) -> bool:
        if not isinstance(v, Literal) or isinstance(v.value, str) != bound_is_string:
            return False
        try:
            cmp = compare_literal(v, bound)
        except (TypeError, NotImplementedError):
            return False
        return cmp <= 0 if sign > 0 else cmp >= 0

    return lambda d, f, vs: [(component, v) for v in vs if not ok(v)]


def _less_than(v, w) -> bool:
    """pyshacl's sh:lessThan comparison of two values."""
    if isinstance(v, BNode) or isinstance(w, BNode):
        raise Unsupported("sh:lessThan on a blank node")
    a, a_str = (v, True) if type(v) is str else ((v.value, True) if isinstance(v.value, str) else (v.value, False))
    b, b_str = (w, True) if type(w) is str else ((w.value, True) if isinstance(w.value, str) else (w.value, False))
    if a_str != b_str:
        return False
    try:
        return bool(a < b)
    except TypeError:
        return False


# -- SPARQL-based constraints on Oxigraph -----------------------------------------------------------

def to_ox(node):
    if type(node) is str:
        return ox.NamedNode(node)
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)) if node.datatype else None)


def from_ox(node):
    if isinstance(node, ox.NamedNode):
        return node.value
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if node.language:
        return Literal(node.value, lang=node.language)
    dt = node.datatype.value
    return Literal(node.value) if dt == str(XSD.string) else Literal(node.value, datatype=URIRef(dt))


def to_store(triples: set[tuple]) -> ox.Store:
    store = ox.Store()
    store.extend([ox.Quad(to_ox(s), ox.NamedNode(p), to_ox(o)) for s, p, o in triples])
    return store


_VARIABLE = re.compile(r"\{[$?](\w+)\}")


def _sparql_results(shape: Shape, constraint: SparqlConstraint, store: ox.Store, focus: set) -> list[Result]:
    this = ox.Variable("this")
    if constraint.per_focus:
        solutions = [(f, s) for f in focus for s in store.query(constraint.query, substitutions={this: to_ox(f)})]
    else:
        solutions = [(from_ox(s[this]), s) for s in store.query(constraint.query) if s[this] is not None]
        solutions = [(f, s) for f, s in solutions if f in focus]
    results = []
    template = constraint.message if constraint.message is not None else shape.message or ""
    for f, solution in solutions:
        value = _bound(solution, "value")
        path = _bound(solution, "path")

        def substitute(m):
            bound = _bound(solution, m.group(1))
            return m.group(0) if bound is None else str(bound)
        results.append(Result(f, shape.severity, SH.SPARQLConstraintComponent, shape.node, _VARIABLE.sub(substitute, template),
                              path if path is not None else (shape.path.node if shape.path else None),
                              value if value is not None else f, constraint.node))
    return results


def _bound(solution, name: str):
    try:
        node = solution[name]
    except (KeyError, IndexError):
        return None
    return None if node is None else from_ox(node)
