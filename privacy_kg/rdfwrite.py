"""Fast, deterministic writers for graphs held as plain sets of rdflib terms.

rdflib's serialisers cost tens of microseconds per triple (they walk a Graph store); at 10,000
companies they dominate the build. These writers produce, byte for byte, what rdflib 7 writes for the
graphs the build makes (IRIs and literals, no blank nodes), from a set of (s, p, o) tuples:

- `turtle`: rdflib's TurtleSerializer layout (prefixes actually used, sorted; subjects ordered by how
  often they are referenced, then by IRI; rdf:type and rdfs:label first, then predicates by IRI; objects
  sorted; `a` for rdf:type; the same IRI compaction rules). It returns None for a graph it does not
  handle (blank nodes, rdf:nil, a predicate without a prefix), and the caller then uses rdflib.
- `nquad_lines`: one N-Quads line per triple, formatted as rdflib's N-Quads serialiser does.

tests/test_rdfwrite.py checks both against rdflib on the seeds and a synthetic sample."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import split_uri
from rdflib.plugins.serializers.nt import _quoteLiteral

Triple = tuple  # (s, p, o): IRIs as plain str (or URIRef), literals as rdflib Literal
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_INVALID_IRI_CHARS = re.compile(r'[<>" {}|\\^`]')
RDF_TYPE, RDF_NIL = str(RDF.type), str(RDF.nil)
_FIRST_PREDICATES = (RDF_TYPE, str(RDFS.label))


@lru_cache(maxsize=1)
def default_bindings() -> tuple[tuple[str, str], ...]:
    """The namespaces a new rdflib Graph binds, in rdflib's order."""
    return tuple((prefix, str(ns)) for prefix, ns in Graph().namespaces())


class Namespaces:
    """A graph's prefix bindings (rdflib's defaults, then the given ones), and rdflib's IRI compaction."""

    def __init__(self, extra: Mapping[str, str]):
        self.prefix_of: dict[str, str] = {ns: prefix for prefix, ns in default_bindings()}
        for prefix, ns in extra.items():  # a later binding of a namespace replaces the earlier prefix
            self.prefix_of[str(ns)] = prefix
        self.namespace_of = {prefix: ns for ns, prefix in self.prefix_of.items()}
        self.longest_first = sorted(self.prefix_of, key=len, reverse=True)
        self._memo: dict[tuple[str, bool], tuple[str, str] | None | bool] = {}

    def compact(self, uri: str, verb: bool):
        """(prefix, local) as rdflib's TurtleSerializer.get_pname finds it; None when the IRI is written
        in full; False when rdflib would invent a prefix (ns1) for it."""
        key = (uri, verb)
        found = self._memo.get(key)
        if found is None and key not in self._memo:
            found = self._compact(uri, verb)
            if not uri.startswith("https://w3id.org/privacy-kg/id/"):  # company IRIs are seen once
                self._memo[key] = found
        return found

    def _compact(self, uri: str, verb: bool):
        if _INVALID_IRI_CHARS.search(uri):
            return None
        try:
            ns, local = fast_split(uri)
        except ValueError:
            prefix = self.prefix_of.get(uri)
            return (prefix, "") if prefix else None
        for longer in self.longest_first:
            if len(longer) <= len(ns):
                break
            if longer.startswith(ns) and uri.startswith(longer):
                ns, local = longer, uri[len(longer):]
                break
        prefix = self.prefix_of.get(ns)
        if prefix is None:
            return False if verb else None
        local = _PERCENT.sub("\\%", local.replace("(", r"\(").replace(")", r"\)"))
        if local.endswith("."):
            return None
        return prefix, local


_NAME_TAIL = re.compile(r"[A-Za-z0-9\-._%()]*$")
_NAME_START = re.compile(r"[A-Za-z0-9_]")


def fast_split(uri: str) -> tuple[str, str]:
    """rdflib's split_uri, with a fast path for IRIs whose local name is ASCII."""
    tail = _NAME_TAIL.search(uri)
    start = tail.start()
    if start and ord(uri[start - 1]) < 128 and not uri.startswith(_XMLNS):
        first = _NAME_START.search(uri, start)
        if first is not None:
            return uri[:first.start()], uri[first.start():]
    return split_uri(uri)


_XMLNS = "http://www.w3.org/XML/1998/namespace"


class _Unsupported(Exception):
    """The graph needs a feature of rdflib's serialiser these writers do not reproduce."""


def turtle(triples: Iterable[Triple], namespaces: Namespaces) -> str | None:
    """The Turtle rdflib writes for these triples with these bindings, or None (use rdflib then)."""
    try:
        return _Turtle(namespaces).document(triples)
    except _Unsupported:
        return None


class _Turtle:
    def __init__(self, namespaces: Namespaces):
        self.ns = namespaces
        self.used: set[str] = set()

    def iri(self, iri: str, verb: bool = False) -> str:
        if iri == RDF_NIL:
            raise _Unsupported("rdf:nil")
        found = self.ns.compact(iri, verb)
        if found is False:
            raise _Unsupported(f"no prefix for predicate {iri}")
        if found is None:
            return f"<{iri}>"
        self.used.add(found[0])
        return f"{found[0]}:{found[1]}"

    def literal(self, node: Literal) -> str:
        if node.datatype is not None:
            self.iri(str(node.datatype))  # rdflib registers the datatype's prefix even when it writes 13 plainly
        return node._literal_n3(use_plain=True, qname_callback=self._datatype)

    def _datatype(self, datatype: URIRef) -> str | None:
        found = self.ns.compact(str(datatype), False)
        return f"{found[0]}:{found[1]}" if found else None

    def label(self, node) -> str:
        if type(node) is str:
            return self.iri(node)
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, URIRef):
            return self.iri(str(node))
        raise _Unsupported("blank node")

    def document(self, triples: Iterable[Triple]) -> str:
        by_subject: dict = defaultdict(lambda: defaultdict(list))
        references: dict = defaultdict(int)
        for s, p, o in triples:
            if type(s) is not str or type(p) is not str:
                if isinstance(s, BNode) or isinstance(p, BNode):
                    raise _Unsupported("blank node")
                s, p = str(s), str(p)
            by_subject[s][p].append(o)
            if type(o) is str:
                references[o] += 1  # only IRIs can be subjects
        blocks = [self.statement(subject, by_subject[subject])
                  for subject in sorted(by_subject, key=lambda s: (references.get(s, 0), s))]
        prefixes = "".join(f"@prefix {prefix}: <{self.ns.namespace_of[prefix]}> .\n" for prefix in sorted(self.used))
        return prefixes + "".join(blocks) + "\n"

    def statement(self, subject: str, properties: dict) -> str:
        predicates = [p for p in _FIRST_PREDICATES if p in properties]
        predicates += sorted(p for p in properties if p not in _FIRST_PREDICATES)
        parts = ["\n", self.iri(subject)]
        for i, predicate in enumerate(predicates):
            parts.append(" ;\n    " if i else " ")
            parts.append("a" if predicate == RDF_TYPE else self.iri(predicate, verb=True))
            objects = properties[predicate]
            if len(objects) == 1:
                parts.append(" " + self.label(objects[0]))
            else:
                parts.append(" " + ",\n        ".join(self.label(o) for o in sort_terms(objects)))
        parts.append(" .\n")
        return "".join(parts)


def sort_terms(terms: list) -> list:
    """In rdflib's order: plain IRIs sort as strings; anything mixed is compared as rdflib terms."""
    if all(type(t) is str for t in terms):
        return sorted(terms)
    return sorted(terms, key=lambda t: URIRef(t) if type(t) is str else t)


def nt_term(term) -> str:
    """A term as rdflib's N-Triples/N-Quads serialisers write it."""
    if type(term) is str or isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return _quoteLiteral(term)
    return term.n3()


def nquad_lines(triples: Iterable[Triple], graph: str) -> list[str]:
    """N-Quads lines (no newline) of the triples in the named graph, as rdflib writes them."""
    g = f"<{graph}>"
    return [f"{nt_term(s)} <{p}> {nt_term(o)} {g} ." for s, p, o in triples]
