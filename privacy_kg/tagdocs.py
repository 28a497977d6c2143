"""docs/tags.md: the tag vocabulary, generated from the ontology so it cannot disagree with it."""

from __future__ import annotations

from rdflib import RDFS, URIRef

from privacy_kg.namespaces import PK, local_name
from privacy_kg.ontology import Vocabulary
from privacy_kg.statement_keys import KeySpec

HEADER = """# Tag vocabulary

Generated from `ontology/privacy-kg.ttl` by `privacy-kg docs`: do not edit. Tags are the local names
below, then the label (rdfs:label, what queries show); synonyms (skos:altLabel) are in brackets. See [tagging.md](tagging.md) for the clause format.
"""


def _tree(vocab: Vocabulary, cls: URIRef, depth: int, skip: set[URIRef]) -> list[str]:
    alts = vocab.alt_labels(cls)
    line = f"{'  ' * depth}- `{local_name(cls)}` ({vocab.label(cls)}): {vocab.definition(cls)}" + (f" [{'; '.join(alts)}]" if alts else "")
    children = sorted(c for c in vocab.graph.subjects(RDFS.subClassOf, cls) if isinstance(c, URIRef) and c not in skip)
    return [line] + [x for c in children for x in _tree(vocab, c, depth + 1, skip)]


def render(vocab: Vocabulary, keys: dict[str, KeySpec]) -> str:
    parts = [HEADER]
    modality_classes = {PK.AffirmedPractice, PK.DeniedPractice, PK.HedgedPractice}
    parts.append("\n## `practice`\n\nUse the classes below a topic (topics are in bold and are not tags).\n")
    for topic in vocab.topics:
        parts.append(f"- **{local_name(topic)}** ({vocab.label(topic)}): {vocab.definition(topic)}")
        for child in sorted(c for c in vocab.graph.subjects(RDFS.subClassOf, topic) if isinstance(c, URIRef)):
            parts.extend("  " + line for line in _tree(vocab, child, 0, modality_classes))
    for key, spec in keys.items():
        if spec.info is None or spec.info.kind == "literal":
            continue
        parts.append(f"\n## `{key}`\n\nProperty `pk:{local_name(spec.property)}`; values: "
                     + ("one of these individuals of" if spec.info.kind == "enum" else "classes under")
                     + f" `{local_name(spec.info.range)}`.\n")
        if spec.info.kind == "enum":
            for term in sorted(vocab.individuals(spec.info.range)):
                alts = vocab.alt_labels(term)
                parts.append(f"- `{local_name(term)}` ({vocab.label(term)}): {vocab.definition(term)}" + (f" [{'; '.join(alts)}]" if alts else ""))
        else:
            parts.extend(_tree(vocab, spec.info.range, 0, set()))
    literals = [s for s in keys.values() if s.info is not None and s.info.kind == "literal"]
    parts.append("\n## Literal keys\n")
    parts.extend(f"- `{s.key}`: `pk:{local_name(s.property)}`, {local_name(s.info.range)}" for s in literals)
    return "\n".join(parts) + "\n"
