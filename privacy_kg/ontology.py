"""The ontology as the tag vocabulary: which local names exist, in which family, and what is near."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from rdflib.plugins.parsers.notation3 import BadSyntax

from privacy_kg.namespaces import PK, local_name
from privacy_kg.problems import InputError, Problem
from privacy_kg.yaml_input import shorten

ONTOLOGY_FILE = "privacy-kg.ttl"


def parse_turtle(path: Path) -> Graph:
    """A Turtle file people edit, its syntax errors as an InputError with the file and line."""
    try:
        return Graph().parse(path, format="turtle")
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, None, "file is missing")]) from None
    except (BadSyntax, SyntaxError, ValueError, UnicodeDecodeError) as e:
        line = getattr(e, "lines", None)
        line = line + 1 if isinstance(line, int) else None
        message = getattr(e, "_why", None) or str(e)
        raise InputError([Problem(str(path), line, None, f"not valid Turtle: {shorten(message, 200, text=True)}")]) from None


@dataclass(frozen=True)
class PropertyInfo:
    """What a statement key maps to: a property, and how its values are made."""

    iri: URIRef
    kind: str  # "class" (per-company individual of a class), "enum" (a fixed individual), "literal"
    range: URIRef  # the range class, or the literal datatype


class Vocabulary:
    def __init__(self, graph: Graph):
        self.graph = graph
        self._memo: dict = {}  # (method, argument) -> result: the graph does not change once loaded

    def _cached(self, name: str, arg, compute):
        key = (name, arg)
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @classmethod
    def load(cls, ontology_dir: Path) -> "Vocabulary":
        """The ontology, or InputError naming the file and the line of a syntax error."""
        return cls(parse_turtle(ontology_dir / ONTOLOGY_FILE))

    # -- structure -------------------------------------------------------------------------------
    @cached_property
    def classes(self) -> set[URIRef]:
        return {c for c in self.graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}

    def descendants(self, cls: URIRef) -> set[URIRef]:
        """cls and every class below it (reflexive, transitive)."""
        return set(self._cached("descendants", cls, lambda: frozenset(self.graph.transitive_subjects(RDFS.subClassOf, cls))))

    def ancestors(self, cls: URIRef) -> set[URIRef]:
        return set(self._cached("ancestors", cls, lambda: frozenset(self.graph.transitive_objects(cls, RDFS.subClassOf))))

    def class_hierarchy(self) -> Graph:
        """Every entailed strict rdfs:subClassOf between named classes (the asserted ones included), so a
        query needs no `rdfs:subClassOf+` path: Virtuoso 7.2 cannot run one from an unbound subject. It is
        a graph of its own because queries read the asserted ontology for direct subclasses."""
        graph = Graph()
        graph.bind("pk", PK)
        for cls in self.classes:
            for ancestor in self.ancestors(cls) - {cls}:
                if isinstance(ancestor, URIRef):
                    graph.add((cls, RDFS.subClassOf, ancestor))
        return graph

    def individuals(self, cls: URIRef) -> set[URIRef]:
        return set(self._cached("individuals", cls, lambda: frozenset(
            i for i in self.graph.subjects(RDF.type, cls) if (i, RDF.type, OWL.NamedIndividual) in self.graph)))

    @cached_property
    def topics(self) -> list[URIRef]:
        return sorted(self.graph.subjects(PK.isTopic, Literal(True)))

    @cached_property
    def core_topics(self) -> list[URIRef]:
        return sorted(self.graph.subjects(PK.isCoreTopic, Literal(True)))

    @cached_property
    def taggable_practices(self) -> set[URIRef]:
        """Practice classes a statement may use: everything below a topic, not the topics themselves."""
        found: set[URIRef] = set()
        for topic in self.topics:
            found |= self.descendants(topic) - {topic}
        return found

    def topic_of(self, practice_class: URIRef) -> URIRef | None:
        for topic in self.topics:
            if topic in self.ancestors(practice_class):
                return topic
        return None

    def label(self, term: URIRef) -> str:
        return str(self.graph.value(term, RDFS.label) or local_name(term))

    def definition(self, term: URIRef) -> str:
        return str(self.graph.value(term, SKOS.definition) or "")

    def alt_labels(self, term: URIRef) -> list[str]:
        return sorted(str(a) for a in self.graph.objects(term, SKOS.altLabel))

    # -- statement keys --------------------------------------------------------------------------
    def property_info(self, prop: URIRef) -> PropertyInfo:
        rng = self.graph.value(prop, RDFS.range)
        if (prop, RDF.type, OWL.DatatypeProperty) in self.graph:
            # xsd:date and xsd:duration are outside OWL 2's datatype map: named by pk:valueDatatype, not a range
            return PropertyInfo(prop, "literal", self.graph.value(prop, PK.valueDatatype) or rng or XSD.string)
        if rng is None:
            return PropertyInfo(prop, "literal", XSD.string)
        if self.individuals(rng):
            return PropertyInfo(prop, "enum", rng)
        return PropertyInfo(prop, "class", rng)

    def allowed_values(self, info: PropertyInfo) -> set[URIRef]:
        if info.kind == "enum":
            return self.individuals(info.range)
        return self.descendants(info.range)

    def resolve(self, name: str, allowed: set[URIRef]) -> URIRef | None:
        term = PK[name]
        return term if term in allowed else None

    def nearest(self, name: str, allowed: set[URIRef], n: int = 3) -> list[str]:
        """The valid local names closest to a wrong tag: by spelling, then by label and synonyms."""
        names = {local_name(t): t for t in allowed}
        lowered = {k.lower(): k for k in names}
        if name.lower() in lowered:
            return [lowered[name.lower()]]
        spoken = name.replace("_", " ").replace("-", " ").lower()
        close = [local for local, term in sorted(names.items())
                 if spoken in (self.label(term).lower(), *(a.lower() for a in self.alt_labels(term)))]
        for match in difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6):
            if lowered[match] not in close:
                close.append(lowered[match])
        if not close:
            close = [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.4)]
        return close[:n]
