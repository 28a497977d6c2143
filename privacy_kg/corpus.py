"""Loading corpus/<slug>/ (policy text, metadata, tagged clauses) and checking every tag and quote.

Every problem of a run is collected; `load_corpus` raises one InputError listing them all."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import URIRef

from privacy_kg import quotes
from privacy_kg.namespaces import PK, RESERVED_SLUGS, kebab, local_name
from privacy_kg.ontology import Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.statement_keys import KeySpec

TEXT_FILE, METADATA_FILE, CLAUSES_FILE = "policy.txt", "metadata.yaml", "clauses.yaml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
METADATA_KEYS = {
    "name", "website", "sector", "source_url", "archive_url", "archived_on", "last_updated",
    "copyright", "seed_file", "seals", "parties",
}
CLAUSE_KEYS = {"id", "quote", "occurrence", "statements", "proposed", "confidence"}
LINE = "__line__"
UNREADABLE = object()  # what _read_yaml returns for a file it could not read (the problem is recorded)


@dataclass
class Statement:
    index: int  # 1-based position in its clause: part of the practice IRI
    values: dict[str, list[Any]]  # key -> resolved values (URIRef terms, party keys, or literals)


@dataclass
class Clause:
    id: str
    quote: str  # text[start:end], verbatim
    start: int
    end: int
    statements: list[Statement]
    proposed: bool = False
    confidence: float | None = None


@dataclass
class Party:
    key: str
    name: str
    cls: URIRef


@dataclass
class Company:
    slug: str
    directory: Path
    metadata: dict[str, Any]
    text: str
    text_sha256: str
    parties: dict[str, Party] = field(default_factory=dict)
    clauses: list[Clause] = field(default_factory=list)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when present: 10x faster
    """A safe loader that records the line of every mapping, for messages that point into the file."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError:
        problems.append(Problem(str(path), None, None, "file is missing"))
    except UnicodeDecodeError as e:
        problems.append(Problem(str(path), None, None, f"not UTF-8 (byte {e.start})"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problems.append(Problem(str(path), line, None, f"malformed YAML: {getattr(e, 'problem', e)}"))
    return UNREADABLE


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class CompanyLoader:
    """Loads one company directory; appends what is wrong to `problems`."""

    def __init__(self, vocab: Vocabulary, keys: dict[str, KeySpec], problems: list[Problem]):
        self.vocab, self.keys, self.problems = vocab, keys, problems

    def load(self, directory: Path) -> Company | None:
        slug = directory.name
        if not SLUG.match(slug):
            self._problem(directory, None, None, f"company folder name {slug!r} is not a slug (a-z, 0-9, -)")
        elif slug in RESERVED_SLUGS:
            self._problem(directory, None, None, f"company folder name {slug!r} is reserved (the ontology's graphs "
                                                 f"are named {' and '.join(RESERVED_SLUGS)})")
        text = self._read_text(directory / TEXT_FILE)
        metadata = _read_yaml(directory / METADATA_FILE, self.problems)
        tagged = _read_yaml(directory / CLAUSES_FILE, self.problems)
        if text is None or metadata is UNREADABLE or tagged is UNREADABLE:
            return None
        company = Company(slug, directory, {}, text, hashlib.sha256(text.encode("utf-8")).hexdigest())
        self._metadata(company, metadata)
        self._clauses(company, tagged)
        self._seals_backed(company)
        return company

    # -- pieces ----------------------------------------------------------------------------------
    def _problem(self, path: Path, line: int | None, clause: str | None, message: str) -> None:
        self.problems.append(Problem(str(path), line, clause, message))

    def _read_text(self, path: Path) -> str | None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self._problem(path, None, None, "policy text is missing")
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            self._problem(path, line, None, f"not UTF-8: byte {raw[e.start]:#x} at offset {e.start}; re-save the text as UTF-8")
            return None

    def _metadata(self, company: Company, meta: Any) -> None:
        path = company.directory / METADATA_FILE
        if not isinstance(meta, dict):
            self._problem(path, None, None, "metadata must be a mapping of fields")
            return
        line = meta.pop(LINE, None)
        for key in sorted(set(meta) - METADATA_KEYS):
            self._problem(path, line, None, f"unknown metadata field {key!r}; known: {', '.join(sorted(METADATA_KEYS))}")
        for key in ("name", "sector"):
            if not isinstance(meta.get(key), str) or not meta[key].strip():
                self._problem(path, line, None, f"required field {key!r} is missing or empty")
        for key in ("archived_on", "last_updated"):
            value = meta.get(key)
            if value is not None and not isinstance(value, dt.date):
                try:
                    meta[key] = dt.date.fromisoformat(str(value))
                except ValueError:
                    self._problem(path, line, None, f"{key} must be an ISO date (YYYY-MM-DD), not {value!r}")
        seals = []
        for name in _as_list(meta.get("seals") or []):
            seal = self._term(path, line, None, "seals", str(name), self.vocab.individuals(PK.PrivacySeal))
            if seal is not None:
                seals.append(seal)
        meta["seals"] = seals
        parties = meta.get("parties") or {}
        if not isinstance(parties, dict):
            self._problem(path, line, None, "parties must map a key to {name, class}")
            parties = {}
        party_classes = self.vocab.descendants(PK.Party)
        class_slugs = {kebab(local_name(c)) for c in party_classes}
        for key, spec in parties.items():
            if key == LINE:
                continue
            if not SLUG.match(str(key)) or key in class_slugs:
                self._problem(path, line, None, f"party key {key!r} must be a slug and not the name of a party class")
                continue
            if not isinstance(spec, dict) or not spec.get("name") or not spec.get("class"):
                self._problem(path, line, None, f"party {key!r} needs a name and a class")
                continue
            cls = self._term(path, spec.get(LINE, line), None, f"party {key} class", str(spec["class"]), party_classes)
            if cls is not None:
                company.parties[key] = Party(key, str(spec["name"]), cls)
        meta.pop("parties", None)
        company.metadata = meta

    def _clauses(self, company: Company, tagged: Any) -> None:
        path = company.directory / CLAUSES_FILE
        clauses = tagged.get("clauses") if isinstance(tagged, dict) else None
        if not isinstance(clauses, list):
            self._problem(path, None, None, "expected a mapping with a list under 'clauses'")
            return
        seen: dict[str, int] = {}
        for raw in clauses:
            if not isinstance(raw, dict):
                self._problem(path, None, None, f"each clause must be a mapping, not {raw!r}")
                continue
            line = raw.get(LINE)
            cid = raw.get("id")
            if not isinstance(cid, str) or not SLUG.match(cid):
                self._problem(path, line, None, f"clause id {cid!r} is missing or not kebab-case")
                continue
            if cid in seen:
                self._problem(path, line, cid, f"duplicate clause id (first at line {seen[cid]})")
                continue
            seen[cid] = line
            clause = self._clause(company, path, raw, cid, line)
            if clause is not None:
                company.clauses.append(clause)

    def _clause(self, company: Company, path: Path, raw: dict, cid: str, line: int | None) -> Clause | None:
        for key in sorted(set(raw) - CLAUSE_KEYS - {LINE}):
            self._problem(path, line, cid, f"unknown clause field {key!r}; known: {', '.join(sorted(CLAUSE_KEYS))}")
        quote = raw.get("quote")
        if not isinstance(quote, str) or not quote.strip():
            self._problem(path, line, cid, "required field 'quote' is missing or empty")
            return None
        occurrence = raw.get("occurrence", 1)
        if not isinstance(occurrence, int) or occurrence < 1:
            self._problem(path, line, cid, f"occurrence must be a positive integer, not {occurrence!r}")
            return None
        span = quotes.locate(company.text, quote, occurrence)
        if span is None:
            found = quotes.count(company.text, quote)
            if found and occurrence > found:
                self._problem(path, line, cid, f"the quote occurs {found} time(s), not {occurrence}")
            else:
                self._problem(
                    path, line, cid,
                    f"quote not found in {TEXT_FILE}:\n    quote:   {quote.strip()!r}\n"
                    f"    closest: {quotes.closest_passage(company.text, quote)!r}",
                )
        statements_raw = raw.get("statements")
        if not isinstance(statements_raw, list) or not statements_raw:
            self._problem(path, line, cid, "a clause needs at least one statement under 'statements'")
            return None
        statements = []
        for index, st in enumerate(statements_raw, start=1):
            statement = self._statement(company, path, cid, index, st, line)
            if statement is not None:
                statements.append(statement)
        confidence = raw.get("confidence")
        if confidence is not None and not (isinstance(confidence, (int, float)) and 0 <= confidence <= 1):
            self._problem(path, line, cid, f"confidence must be a number between 0 and 1, not {confidence!r}")
        if span is None:
            return None
        start, end = span
        return Clause(cid, company.text[start:end], start, end, statements,
                      bool(raw.get("proposed", False)), confidence)

    def _statement(self, company: Company, path: Path, cid: str, index: int, raw: Any, line) -> Statement | None:
        if not isinstance(raw, dict):
            self._problem(path, line, cid, f"statement {index} must be a mapping of keys")
            return None
        line = raw.pop(LINE, line)
        values: dict[str, list[Any]] = {}
        for key in sorted(set(raw) - set(self.keys)):
            near = ", ".join(n for n in sorted(self.keys) if n[:3] == key[:3]) or ", ".join(sorted(self.keys))
            self._problem(path, line, cid, f"statement {index}: unknown key {key!r} (did you mean: {near})")
        for key, spec in self.keys.items():
            if key not in raw or raw[key] in (None, []):
                if spec.required:
                    self._problem(path, line, cid, f"statement {index}: required key {key!r} is missing")
                continue
            given = raw[key]
            if isinstance(given, list) and not spec.many:
                self._problem(path, line, cid, f"statement {index}: {key!r} takes one value, not a list")
                continue
            resolved = [self._value(company, path, line, cid, index, spec, v) for v in _as_list(given)]
            if all(r is not None for r in resolved):
                values[key] = resolved
        if "practice" not in values:
            return None
        return Statement(index, values)

    def _value(self, company, path, line, cid, index, spec: KeySpec, value: Any):
        where = f"statement {index}: {spec.key}"
        if spec.key == "practice":
            return self._term(path, line, cid, where, str(value), self.vocab.taggable_practices)
        if spec.info is None:  # note -> rdfs:comment
            return str(value)
        if spec.info.kind == "literal":
            return self._literal(path, line, cid, where, spec, value)
        if spec.info.kind == "class" and spec.info.range == PK.Party and value in company.parties:
            return value  # a named party of the metadata
        allowed = self.vocab.allowed_values(spec.info)
        return self._term(path, line, cid, where, str(value), allowed)

    def _literal(self, path, line, cid, where, spec: KeySpec, value: Any):
        datatype = local_name(spec.info.range)
        if datatype == "duration" and not (isinstance(value, str) and DURATION.match(value)):
            self._problem(path, line, cid, f"{where}: {value!r} is not an ISO 8601 duration such as P10D or P1Y")
            return None
        if datatype == "nonNegativeInteger" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            self._problem(path, line, cid, f"{where}: {value!r} is not a non-negative integer")
            return None
        return value

    def _term(self, path, line, cid, where, name: str, allowed: set[URIRef]) -> URIRef | None:
        term = self.vocab.resolve(name, allowed)
        if term is None:
            near = self.vocab.nearest(name, allowed)
            hint = f"; nearest valid terms: {', '.join(near)}" if near else ""
            self._problem(path, line, cid, f"{where}: unknown tag {name!r}{hint}")
        return term

    def _seals_backed(self, company: Company) -> None:
        claimed = {s for c in company.clauses for st in c.statements for s in st.values.get("seals", [])}
        for seal in company.metadata.get("seals", []):
            if seal not in claimed:
                self._problem(company.directory / METADATA_FILE, None, None,
                              f"seal {local_name(seal)} is listed but no clause claims it (add `seals: [{local_name(seal)}]` to the clause that does)")


def company_dirs(corpus_dir: Path, only: list[str] | None = None) -> list[Path]:
    dirs = sorted(p for p in corpus_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if only:
        missing = sorted(set(only) - {d.name for d in dirs})
        if missing:
            raise InputError([Problem(str(corpus_dir / m), None, None, "no such company in the corpus") for m in missing])
        dirs = [d for d in dirs if d.name in only]
    return dirs


def load_corpus(corpus_dir: Path, vocab: Vocabulary, keys: dict[str, KeySpec], only: list[str] | None = None) -> list[Company]:
    problems: list[Problem] = []
    loader = CompanyLoader(vocab, keys, problems)
    companies = [c for c in (loader.load(d) for d in company_dirs(corpus_dir, only)) if c is not None]
    if problems:
        raise InputError(problems)
    return companies
