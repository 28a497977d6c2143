"""The regulatory completeness profiles (mappings/regulatory-profiles.yaml), checked against the ontology and
the statement keys: what a law requires a privacy policy to disclose, as patterns of tagged statements.

    load_profiles(mappings_dir, vocab, keys) -> [Profile]

Each item's patterns become SPARQL (profile_sparql.py), which the generated SHACL shapes and the stored
query regulatory-silence both run, so the two cannot disagree. Bad input raises InputError, every problem
with the file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS

from privacy_kg.namespaces import PK, local_name
from privacy_kg.ontology import Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.statement_keys import KeySpec
from privacy_kg.yaml_input import LINE, UNREADABLE, LinedDict, read_yaml, shorten

PROFILES_FILE = "regulatory-profiles.yaml"
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PROFILE_FIELDS = {"id", "label", "scope", "cites", "items"}
ITEM_FIELDS = {"id", "label", "article", "article_of", "stated", "applies_when", "each_collected_category",
               "distinct_values", "updated_within_months"}
WAYS = ("stated", "distinct_values", "updated_within_months")  # how an item is stated: exactly one


@dataclass(frozen=True)
class Condition:
    """One key of a pattern: the statement's `property` has one of `values` (any value if there are none).
    With `typed`, a value is an individual typed with one of these classes (the per-company individuals of
    data types, rights...), else it is one of them (modalities, roles, and rdf:type for `practice`)."""

    property: URIRef
    values: tuple[URIRef, ...]
    typed: bool


@dataclass(frozen=True)
class Pattern:
    conditions: tuple[Condition, ...]  # all hold on one statement of the company


@dataclass(frozen=True)
class Item:
    profile: str
    id: str
    label: str
    article: str
    stated: tuple[Pattern, ...] = ()  # any one will do
    applies_when: tuple[Pattern, ...] = ()  # none: always applicable
    each_collected_category: bool = False
    distinct_values: tuple[URIRef, int] | None = None  # (property, at least)
    updated_within_months: int | None = None

    @property
    def message(self) -> str:
        return f"silent on {self.label} ({self.article})"


@dataclass(frozen=True)
class Profile:
    id: str
    label: str
    scope: URIRef  # the class of the companies it applies to
    cites: str
    items: tuple[Item, ...]


def article_of(vocab: Vocabulary, term: URIRef, cites: str) -> str | None:
    """The parts of the term's dcterms:source that name an article of the law `cites` ("GDPR Art. 22, Art.
    13(2)(f); CCPA §1798.185(a)(16)" -> "GDPR Art. 22, Art. 13(2)(f)" for GDPR)."""
    parts = [p.strip() for source in vocab.graph.objects(term, DCTERMS.source) for p in str(source).split(";")]
    kept = [p for p in parts if p == cites or p.startswith(cites + " ")]
    return "; ".join(kept) or None


def load_profiles(mappings_dir: Path, vocab: Vocabulary, keys: dict[str, KeySpec]) -> list[Profile]:
    return _Loader(mappings_dir / PROFILES_FILE, vocab, keys).load()


class _Loader:
    def __init__(self, path: Path, vocab: Vocabulary, keys: dict[str, KeySpec]):
        self.path, self.vocab, self.keys = path, vocab, keys
        self.problems: list[Problem] = []

    def problem(self, mapping: Any, key: Any, where: str, message: str) -> None:
        line = mapping.line(key) if isinstance(mapping, LinedDict) else None
        self.problems.append(Problem(str(self.path), line, None, f"{where}: {message}" if where else message))

    def load(self) -> list[Profile]:
        data = read_yaml(self.path, self.problems)
        profiles = []
        if data is not UNREADABLE:
            rows = data.get("profiles") if isinstance(data, dict) else None
            if not isinstance(rows, list) or not rows:
                self.problem(data, "profiles", "", "expected `profiles:` with a list of profiles")
            else:
                profiles = [p for p in (self.profile(row) for row in rows) if p is not None]
                for seen_id in _doubles(p.id for p in profiles):
                    self.problem(data, "profiles", "", f"profile id {seen_id!r} is used twice")
        if self.problems:
            raise InputError(self.problems)
        return profiles

    # -- profiles and items --------------------------------------------------------------------------
    def fields(self, row: Any, allowed: set[str], required: set[str], where: str) -> bool:
        if not isinstance(row, dict):
            self.problem(row, None, where, f"expected a mapping, not {shorten(row)}")
            return False
        ok = True
        for key in sorted(set(row) - allowed - {LINE}, key=str):
            self.problem(row, key, where, f"unknown field {shorten(key)}; known: {', '.join(sorted(allowed))}")
            ok = False
        for key in sorted(required - set(row)):
            self.problem(row, None, where, f"`{key}` is missing")
            ok = False
        for key in required & set(row) - {"items"}:
            if not isinstance(row[key], str) or not row[key].strip():
                self.problem(row, key, where, f"`{key}` is a text, not {shorten(row[key])}")
                ok = False
        return ok

    def profile(self, row: Any) -> Profile | None:
        where = f"profile {row.get('id')}" if isinstance(row, dict) else "profile"
        if not self.fields(row, PROFILE_FIELDS, PROFILE_FIELDS, where) or not self.check_id(row, where):
            return None
        scope = self.term(row, "scope", row["scope"], self.vocab.descendants(PK.Company) - {PK.Company}, where)
        items_row = row["items"]
        if not isinstance(items_row, list) or not items_row:
            self.problem(row, "items", where, "expected a list of items")
            return None
        items = [i for i in (self.item(row, r) for r in items_row) if i is not None]
        for seen_id in _doubles(i.id for i in items):
            self.problem(row, "items", where, f"item id {seen_id!r} is used twice")
        if scope is None or len(items) != len(items_row):
            return None
        return Profile(row["id"], row["label"].strip(), scope, row["cites"].strip(), tuple(items))

    def check_id(self, row: dict, where: str) -> bool:
        if not ID.match(row["id"]):
            self.problem(row, "id", where, f"id {shorten(row['id'])} must be kebab-case (a-z, 0-9, -)")
            return False
        return True

    def item(self, profile: dict, row: Any) -> Item | None:
        where = f"profile {profile['id']}, item {row.get('id')}" if isinstance(row, dict) else f"profile {profile['id']}, item"
        if not self.fields(row, ITEM_FIELDS, {"id", "label"}, where) or not self.check_id(row, where):
            return None
        ok = True
        article = self.article(profile, row, where)
        ways = [w for w in WAYS if w in row]
        if len(ways) != 1:
            self.problem(row, None, where, f"give exactly one of {', '.join(WAYS)} (found {', '.join(ways) or 'none'})")
            ok = False
        stated = self.patterns(row, "stated", where) if "stated" in row else ()
        applies = self.patterns(row, "applies_when", where) if "applies_when" in row else ()
        each = row.get("each_collected_category", False)
        if not isinstance(each, bool) or (each and "stated" not in row):
            self.problem(row, "each_collected_category", where, "each_collected_category is true or false, and goes with `stated`")
            ok = False
        distinct = self.distinct(row, where) if "distinct_values" in row else None
        months = row.get("updated_within_months")
        if "updated_within_months" in row and (not isinstance(months, int) or isinstance(months, bool) or months < 1):
            self.problem(row, "updated_within_months", where, f"a number of months (1 or more), not {shorten(months)}")
            ok = False
        if not ok or article is None or stated is None or applies is None or ("distinct_values" in row and distinct is None):
            return None
        return Item(profile["id"], row["id"], row["label"].strip(), article, stated, applies, each, distinct, months)

    def article(self, profile: dict, row: dict, where: str) -> str | None:
        if ("article" in row) == ("article_of" in row):
            self.problem(row, None, where, "give exactly one of `article` (the text) or `article_of` (a term whose dcterms:source names it)")
            return None
        if "article" in row:
            if not isinstance(row["article"], str) or not row["article"].startswith(profile["cites"]):
                self.problem(row, "article", where, f"an article starts with {profile['cites']!r}: {shorten(row['article'])}")
                return None
            return row["article"]
        name = row["article_of"]
        term = PK[name] if isinstance(name, str) else None
        if term is None or not any(self.vocab.graph.triples((term, None, None))):
            self.problem(row, "article_of", where, f"{shorten(name)} is not an ontology term")
            return None
        found = article_of(self.vocab, term, profile["cites"])
        if found is None:
            self.problem(row, "article_of", where, f"the dcterms:source of {local_name(term)} names no article of {profile['cites']}; "
                                                   "give `article:` instead")
        return found

    def distinct(self, row: dict, where: str) -> tuple[URIRef, int] | None:
        spec = row["distinct_values"]
        key = spec.get("key") if isinstance(spec, dict) else None
        least = spec.get("at_least") if isinstance(spec, dict) else None
        if key not in self.keys or key == "practice" or not isinstance(least, int) or isinstance(least, bool) or least < 2:
            self.problem(row, "distinct_values", where, f"expected {{key: <statement key>, at_least: 2 or more}}, not {shorten(spec)}")
            return None
        return self.keys[key].property, least

    # -- patterns ------------------------------------------------------------------------------------
    def patterns(self, row: dict, field: str, where: str) -> tuple[Pattern, ...] | None:
        value = row[field]
        listed = value if isinstance(value, list) else [value]
        if not listed:
            self.problem(row, field, where, f"`{field}` needs at least one pattern")
            return None
        found = [self.pattern(p, f"{where}, {field}") for p in listed]
        return None if any(p is None for p in found) else tuple(found)

    def pattern(self, row: Any, where: str) -> Pattern | None:
        if not isinstance(row, dict) or not set(row) - {LINE}:
            self.problem(row, None, where, f"a pattern is a statement (keys of clauses.yaml), not {shorten(row)}")
            return None
        conditions, ok = [], True
        for key in sorted(set(row) - {LINE}, key=str):
            if key == "with":
                names = row[key] if isinstance(row[key], list) else [row[key]]
                for name in names:
                    if name not in self.keys or name == "practice":
                        self.problem(row, key, where, f"`with` names statement keys, not {shorten(name)}")
                        ok = False
                    else:
                        conditions.append(Condition(self.keys[name].property, (), False))
                continue
            condition = self.condition(row, key, where)
            ok &= condition is not None
            conditions.append(condition)
        return Pattern(tuple(conditions)) if ok else None

    def condition(self, row: dict, key: Any, where: str) -> Condition | None:
        spec = self.keys.get(key) if isinstance(key, str) else None
        if spec is None:
            near = ", ".join(sorted(k for k in self.keys if k[:3] == str(key)[:3])) or ", ".join(sorted(self.keys))
            self.problem(row, key, where, f"unknown statement key {shorten(key)}; known: with, {near}")
            return None
        if spec.key == "practice":
            allowed, typed = self.vocab.descendants(PK.Practice), False
        elif spec.info is None or spec.info.kind == "literal":
            self.problem(row, key, where, f"`{key}` takes text: name it in `with: [{key}]` instead of giving values")
            return None
        else:
            allowed, typed = self.vocab.allowed_values(spec.info), spec.info.kind == "class"
        names = row[key] if isinstance(row[key], list) else [row[key]]
        values = [self.term(row, key, name, allowed, where) for name in names]
        if not names or any(v is None for v in values):
            return None
        return Condition(RDF.type if spec.key == "practice" else spec.property, tuple(values), typed)

    def term(self, row: dict, key: str, name: Any, allowed: set[URIRef], where: str) -> URIRef | None:
        term = self.vocab.resolve(name, allowed) if isinstance(name, str) else None
        if term is None:
            near = self.vocab.nearest(str(name)[:100], allowed)
            self.problem(row, key, where, f"`{key}`: unknown term {shorten(name)}" + (f"; nearest valid terms: {', '.join(near)}" if near else ""))
        return term


def _doubles(ids) -> list[str]:
    seen, doubled = set(), []
    for i in ids:
        if i in seen:
            doubled.append(i)
        seen.add(i)
    return doubled
