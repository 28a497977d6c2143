"""The statement-key table of mappings/statement-keys.yaml, resolved against the ontology."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import RDF, RDFS, URIRef

from privacy_kg.namespaces import PK
from privacy_kg.ontology import PropertyInfo, Vocabulary

KEYS_FILE = "statement-keys.yaml"
_CURIES = {"rdf:type": RDF.type, "rdfs:comment": RDFS.comment}


@dataclass(frozen=True)
class KeySpec:
    key: str
    property: URIRef
    info: PropertyInfo | None  # None for `practice` (rdf:type) and `note` (rdfs:comment)
    many: bool
    required: bool


def load_keys(mappings_dir: Path, vocab: Vocabulary) -> dict[str, KeySpec]:
    table = yaml.safe_load((mappings_dir / KEYS_FILE).read_text(encoding="utf-8"))
    specs: dict[str, KeySpec] = {}
    for key, row in table.items():
        prop = _CURIES.get(row["property"]) or PK[row["property"]]
        info = None if prop in _CURIES.values() else vocab.property_info(prop)
        specs[key] = KeySpec(key, prop, info, bool(row.get("list")), bool(row.get("required")))
    specs["practice"] = KeySpec("practice", RDF.type, None, True, True)
    return specs
