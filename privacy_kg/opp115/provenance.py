"""The graph of an imported policy: the shared mapping (mapping.company_graph) plus what only OPP-115 has,
the provenance of each practice's values.

For every attribute value whose span the annotator selected, the practice gets a pk:AttributeSpan: a
W3C Web Annotation specific resource of the policy text with the OPP-115 attribute and value verbatim, a
TextQuoteSelector (the exact text; the clause's quote selector gives the context) and a
TextPositionSelector (offsets in the file); when the corpus's span is an erratum, pk:spanErratum says
what was wrong (and the selectors are there only if the span could still be placed).
IRIs: <practice>/span/<attribute>-<n>, n counting the spans of that attribute in the practice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from privacy_kg.mapping import Triple, company_graph, practice_iri
from privacy_kg.namespaces import OA, PK, node
from privacy_kg.ontology import Vocabulary
from privacy_kg.opp115.adapter import Imported, slugify
from privacy_kg.opp115.practices import Practice
from privacy_kg.opp115.reader import Span
from privacy_kg.statement_keys import KeySpec

TEXT_FORMAT = "text/html"


def practices_graph(imported: Imported, vocab: Vocabulary, keys: dict[str, KeySpec]) -> Graph:
    """The shared mapping of the company record, its policy text described as the corpus's HTML file."""
    g = company_graph(imported.company, vocab, keys)
    text = node(imported.company.slug, "policy", "text")
    g.set((text, DCTERMS.source, Literal(f"OPP-115 {imported.text_source}")))
    g.set((text, DCTERMS["format"], Literal(TEXT_FORMAT)))
    return g


def add_provenance(g: Graph, imported: Imported) -> Graph:
    """Add the span provenance of every practice to `g` (in place) and return it."""
    company = imported.company
    for (clause_id, index), practice in sorted(imported.practices.items()):
        for triple in practice_provenance(company.slug, practice_iri(company.slug, clause_id, index), practice, company.text):
            g.add(triple)
    return g


def practice_provenance(slug: str, practice: URIRef, source: Practice, text: str) -> Iterator[Triple]:
    for annotation in source.annotations:
        yield practice, PK.opp115AnnotationId, Literal(annotation.id)
    numbers: Counter = Counter()
    for choice in source.choices:
        for span in choice.spans:
            if span.text is None and span.erratum is None:
                continue  # nothing selected, as the scheme allows for defaults and Unspecified
            numbers[choice.attribute] += 1
            iri = URIRef(f"{practice}/span/{slugify(choice.attribute)}-{numbers[choice.attribute]}")
            yield practice, PK.hasAttributeSpan, iri
            yield from span_triples(slug, iri, span, text)


def span_triples(slug: str, iri: URIRef, span: Span, text: str) -> Iterator[Triple]:
    yield iri, RDF.type, PK.AttributeSpan
    yield iri, RDF.type, OA.SpecificResource
    yield iri, PK.opp115Attribute, Literal(span.attribute)
    yield iri, PK.opp115Value, Literal(span.value)
    yield iri, OA.hasSource, node(slug, "policy", "text")
    if span.erratum:
        yield iri, PK.spanErratum, Literal(span.erratum)
    if not span.placed:
        return
    quote, position = URIRef(f"{iri}/quote"), URIRef(f"{iri}/position")
    yield iri, OA.hasSelector, quote
    yield iri, OA.hasSelector, position
    yield quote, RDF.type, OA.TextQuoteSelector
    yield quote, OA.exact, Literal(text[span.start:span.end])  # its context: the clause's quote selector
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)
    yield position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)
