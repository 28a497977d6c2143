"""The mapping table mappings/opp115.yaml, loaded and checked against the ontology: every tag it uses must
be a valid term for its statement key, exactly as in tagged clauses. All problems are reported at once,
with file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef

from privacy_kg.corpus import LINE, UNREADABLE, _read_yaml
from privacy_kg.namespaces import PK
from privacy_kg.ontology import Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.statement_keys import KeySpec

TABLE_FILE = "opp115.yaml"
PARTY, PARTY_ROLE = "party", "party_role"  # the table's own keys: a party, and the statement key it fills
ACTING_PARTY = "acting_party"  # a category's actor when a value makes the party act but none is named

Entry = dict[str, list[Any]]  # statement key (or party / party_role) -> resolved values


@dataclass
class Category:
    name: str
    practice: URIRef
    party_role: str | None
    acting_party: URIRef | None = None
    values: dict[str, dict[str, Entry]] = field(default_factory=dict)  # attribute -> value -> entry


@dataclass
class Table:
    path: Path
    keys: dict[str, KeySpec]  # the project's statement keys plus the table's own (`keys:`)
    defaults: Entry
    shared: dict[str, dict[str, Entry]]
    categories: dict[str, Category]

    def entry(self, category: str, attribute: str, value: str) -> Entry | None:
        """What a value of an attribute of a category maps to; None when the table does not say."""
        cat = self.categories.get(category)
        table = cat.values.get(attribute) if cat and attribute in cat.values else self.shared.get(attribute)
        return None if table is None else table.get(value)


def allowed_terms(key: str, spec: KeySpec | None, vocab: Vocabulary) -> set[URIRef] | None:
    """The terms a statement key accepts (None for literal keys)."""
    if key == PARTY:
        return vocab.descendants(PK.Party)
    if key == "practice":
        return vocab.taggable_practices
    if spec is None or spec.info is None or spec.info.kind == "literal":
        return None
    return vocab.allowed_values(spec.info)


class _Loader:
    def __init__(self, path: Path, vocab: Vocabulary, keys: dict[str, KeySpec]):
        self.path, self.vocab, self.keys = path, vocab, dict(keys)
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, None, message))

    def load(self) -> Table:
        raw = _read_yaml(self.path, self.problems)
        if raw is UNREADABLE:
            raise InputError(self.problems)
        if not isinstance(raw, dict):
            self.problem(None, "expected a mapping with defaults, keys, values and categories")
            raise InputError(self.problems)
        self._extra_keys(raw.get("keys") or {})
        defaults = self._entry(raw.get("defaults") or {}, "defaults")
        shared = self._attributes(raw.get("values") or {}, "values")
        categories = {}
        for name, spec in _items(raw.get("categories")):
            category = self._category(name, spec)
            if category is not None:
                categories[name] = category
        if not categories:
            self.problem(raw.get(LINE), "no categories")
        if self.problems:
            raise InputError(self.problems)
        return Table(self.path, self.keys, defaults, shared, categories)

    def _extra_keys(self, extra: Any) -> None:
        for key, row in _items(extra):
            line = row.get(LINE) if isinstance(row, dict) else extra.get(LINE)
            if key in self.keys or not isinstance(row, dict) or not isinstance(row.get("property"), str):
                self.problem(line, f"keys: {key!r} must be a new key with a property, e.g. {{property: hasChoiceScope}}")
                continue
            prop = PK[row["property"]]
            if (prop, None, None) not in self.vocab.graph:
                self.problem(line, f"keys: {key}: the ontology has no property pk:{row['property']}")
                continue
            self.keys[key] = KeySpec(key, prop, self.vocab.property_info(prop), bool(row.get("list")), False)

    def _category(self, name: str, spec: Any) -> Category | None:
        if not isinstance(spec, dict):
            self.problem(None, f"category {name!r} must be a mapping with a practice")
            return None
        line = spec.get(LINE)
        if not isinstance(spec.get("practice"), str):
            self.problem(line, f"category {name!r} needs one default practice, e.g. practice: Collection")
            return None
        practice = self._terms("practice", spec["practice"], line, f"category {name}")
        role = spec.get(PARTY_ROLE)
        acting = self._terms(PARTY, spec[ACTING_PARTY], line, f"category {name}") if ACTING_PARTY in spec else [None]
        values = self._attributes(spec.get("values") or {}, f"category {name}")
        if not practice or not acting or (role is not None and not self._party_role(role, line, f"category {name}")):
            return None
        return Category(name, practice[0], role, acting[0], values)

    def _attributes(self, table: Any, where: str) -> dict[str, dict[str, Entry]]:
        attributes = {}
        for attribute, values in _items(table):
            if not isinstance(values, dict):
                self.problem(table.get(LINE), f"{where}: attribute {attribute!r} must map each value to statement keys")
                continue
            attributes[attribute] = {str(v): self._entry(e, f"{where}: {attribute}: {v}", values.get(LINE))
                                     for v, e in _items(values)}
        return attributes

    def _entry(self, entry: Any, where: str, line: int | None = None) -> Entry:
        if not isinstance(entry, dict):
            self.problem(line, f"{where}: expected statement keys, e.g. {{data: ContactData}}, or {{}}")
            return {}
        line = entry.get(LINE, line)
        resolved: Entry = {}
        for key, value in _items(entry):
            if key == PARTY_ROLE:
                if self._party_role(value, line, where):
                    resolved[key] = [value]
                continue
            if key not in self.keys and key != PARTY:
                self.problem(line, f"{where}: unknown statement key {key!r}; known: {', '.join(sorted(self.keys))}, {PARTY}, {PARTY_ROLE}")
                continue
            resolved[key] = self._terms(key, value, line, where)
        return resolved

    def _party_role(self, role: Any, line: int | None, where: str) -> bool:
        roles = sorted(k for k, s in self.keys.items() if s.info is not None and s.info.range == PK.Party)
        if role not in roles:
            self.problem(line, f"{where}: {PARTY_ROLE} must be one of {', '.join(roles)}, not {role!r}")
            return False
        return True

    def _terms(self, key: str, value: Any, line: int | None, where: str) -> list[Any]:
        spec = self.keys.get(key)
        names = value if isinstance(value, list) else [value]
        if spec is not None and not spec.many and len(names) != 1:
            self.problem(line, f"{where}: {key!r} takes one value, not {value!r}")
            return []
        allowed = allowed_terms(key, spec, self.vocab)
        if allowed is None:
            return list(names)
        terms = []
        for name in names:
            term = self.vocab.resolve(str(name), allowed)
            if term is None:
                near = self.vocab.nearest(str(name), allowed)
                self.problem(line, f"{where}: {key}: unknown tag {name!r}" + (f"; nearest valid terms: {', '.join(near)}" if near else ""))
            else:
                terms.append(term)
        return terms


def _items(mapping: Any) -> list[tuple[Any, Any]]:
    """The entries of a YAML mapping without the line marker ([] for anything else)."""
    return [(k, v) for k, v in mapping.items() if k != LINE] if isinstance(mapping, dict) else []


def load_table(mappings_dir: Path, vocab: Vocabulary, keys: dict[str, KeySpec]) -> Table:
    return _Loader(Path(mappings_dir) / TABLE_FILE, vocab, keys).load()
