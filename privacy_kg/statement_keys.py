"""The statement-key table of mappings/statement-keys.yaml, resolved against the ontology."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, URIRef

from privacy_kg.namespaces import PK
from privacy_kg.ontology import PropertyInfo, Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.yaml_input import LINE, UNREADABLE, LinedDict, read_yaml, shorten

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
    """The table, checked: each key maps to {property: <pk: local name, rdf:type or rdfs:comment>, list: bool,
    required: bool}, the property declared in the ontology. Raises InputError naming the file and line."""
    path = mappings_dir / KEYS_FILE
    problems: list[Problem] = []
    table = read_yaml(path, problems)
    if table is not UNREADABLE and not isinstance(table, dict):
        problems.append(Problem(str(path), None, None, "expected a mapping of statement keys to {property, list, required}"))
    if problems:
        raise InputError(problems)
    specs: dict[str, KeySpec] = {}
    for key, row in table.items():
        if key == LINE:
            continue
        line = table.line(key) if isinstance(table, LinedDict) else None
        spec = _spec(key, row, vocab)
        if isinstance(spec, str):
            problems.append(Problem(str(path), line, None, f"key {shorten(key)}: {spec}"))
        else:
            specs[key] = spec
    if problems:
        raise InputError(problems)
    specs["practice"] = KeySpec("practice", RDF.type, None, True, True)
    return specs


def _spec(key, row, vocab: Vocabulary) -> KeySpec | str:
    """The key's spec, or what is wrong with its row."""
    if not isinstance(key, str):
        return "a statement key is a name"
    if not isinstance(row, dict) or not isinstance(row.get("property"), str):
        return f"expected {{property: NAME, list: true|false, required: true|false}}, not {shorten(row)}"
    unknown = sorted(set(row) - {"property", "list", "required", LINE}, key=str)
    if unknown:
        return f"unknown field(s) {', '.join(map(shorten, unknown))}; known: property, list, required"
    for flag in ("list", "required"):
        if not isinstance(row.get(flag, False), bool):
            return f"{flag} must be true or false, not {shorten(row[flag])}"
    prop = _CURIES.get(row["property"]) or PK[row["property"]]
    if prop not in _CURIES.values() and (prop, None, None) not in vocab.graph:
        return f"property {shorten(row['property'])} is not declared in the ontology"
    info = None if prop in _CURIES.values() else vocab.property_info(prop)
    return KeySpec(key, prop, info, bool(row.get("list")), bool(row.get("required")))
