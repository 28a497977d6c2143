"""Loading corpus/<slug>/ (policy text, metadata, tagged clauses) and checking every tag and quote.

corpus/<slug>/ is the version of the policy in force now; each earlier version is a complete folder of its
own in the same format, corpus/<slug>/versions/<YYYY-MM-DD>/, named by the day it was recorded (its
archived_on), loaded with the same checks under the same slug.

Every problem of a run is collected; `load_corpus` raises one InputError listing them all."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef

from privacy_kg import quotes
from privacy_kg.namespaces import PK, RESERVED_SLUGS, kebab, local_name
from privacy_kg.ontology import Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.statement_keys import KeySpec
from privacy_kg.yaml_input import LINE, UNREADABLE, LinedDict, read_yaml as _read_yaml, shorten  # noqa: F401 (opp115 reads its table with them)

TEXT_FILE, METADATA_FILE, CLAUSES_FILE = "policy.txt", "metadata.yaml", "clauses.yaml"
VERSIONS_DIR = "versions"  # corpus/<slug>/versions/<YYYY-MM-DD>/: the earlier versions of the policy
CARRIED_HEADER = "# Carried by `privacy-kg carry`"  # the first line of a clauses.yaml that carry wrote
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_SLUG = 100  # kg/companies/<slug>.ttl must stay a legal file name (255 bytes) with room to spare
MAX_TEXT_BYTES = 8 << 20
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
METADATA_KEYS = {
    "name", "website", "sector", "source_url", "archive_url", "archived_on", "last_updated",
    "copyright", "seed_file", "seals", "parties", "ota", "attribution", "licence", "jurisdictions", "format",
}
OTA_KEYS = {"repository", "service", "commit", "snapshot"}  # where an Open Terms Archive text was recorded
TEXT_FORMATS = ("text/plain", "text/markdown")  # offsets index policy.txt as recorded, Markdown included
COMMIT = re.compile(r"^[0-9a-f]{40}$")
TEXT_FIELDS = ("name", "sector", "copyright", "seed_file", "attribution")
URL_FIELDS, DATE_FIELDS = ("website", "source_url", "archive_url", "licence"), ("archived_on", "last_updated")
CLAUSE_KEYS = {"id", "quote", "occurrence", "statements", "proposed", "confidence"}


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
    version: str | None = None  # YYYY-MM-DD of an earlier version (corpus/<slug>/versions/<date>/); None: current
    previous: str | None = None  # the date of the version this one revises, if the corpus has it
    carried: bool = False  # its clauses.yaml was written by `privacy-kg carry` (its header is still there)
    source: str | None = None  # where its text is, when not corpus/<label>/policy.txt (an import's own file)

    @property
    def recorded(self) -> str | None:
        """The day this version was recorded (its archived_on), which names it; None if unknown."""
        day = self.metadata.get("archived_on")
        return day.isoformat() if isinstance(day, dt.date) else None

    @property
    def label(self) -> str:
        """How messages name it: the slug, or slug/versions/<date>."""
        return self.slug if self.version is None else f"{self.slug}/{VERSIONS_DIR}/{self.version}"


def _line(mapping: Any, key: Any = None) -> int | None:
    return mapping.line(key) if isinstance(mapping, LinedDict) else None


def is_url(value: Any) -> bool:
    """An absolute http(s) URL without spaces or characters an IRI may not hold: typed xsd:anyURI."""
    if not isinstance(value, str) or re.search(r'[\s<>"{}|\\^`]', value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def folder_problems(directory: Path, versions: bool = True, slug: str | None = None) -> list[Problem]:
    """What makes a company folder unusable before any file is read: its name (or `slug`, for a folder
    staged under another name), its three files present as files, and (with `versions`) its versions/ layout
    and each version folder's files. `check` and `build` run it first (build hashes the files before loading
    them)."""
    slug, found = slug or directory.name, []
    if not SLUG.match(slug):
        found.append(Problem(str(directory), None, None, f"company folder name {shorten(slug)} is not a slug (a-z, 0-9, -)"))
    elif len(slug) > MAX_SLUG:
        found.append(Problem(str(directory), None, None, f"company folder name is {len(slug)} characters long; "
                                                         f"shorten it to at most {MAX_SLUG}"))
    elif slug in RESERVED_SLUGS:
        found.append(Problem(str(directory), None, None, f"company folder name {slug!r} is reserved (the ontology's graphs "
                                                         f"are named {' and '.join(RESERVED_SLUGS)})"))
    found += _file_problems(directory)
    if versions:
        found += versions_layout_problems(directory)
        found += [p for folder in version_dirs(directory) if version_date(folder.name) for p in _file_problems(folder)]
    return found


def versions_layout_problems(directory: Path) -> list[Problem]:
    """What is wrong with a company's versions/ folder as a layout: not a folder, an entry that is not a
    folder named by a date, a version folder holding versions of its own (their files: each version's load)."""
    versions = directory / VERSIONS_DIR
    if not versions.exists():
        return []
    if not versions.is_dir():
        return [Problem(str(versions), None, None, f"must be a folder holding one folder per earlier version "
                                                   f"({VERSIONS_DIR}/<YYYY-MM-DD>/)")]
    found = []
    for entry in sorted(versions.iterdir()):
        if entry.name.startswith("."):  # a carry's staging folder, editors' files
            continue
        if not entry.is_dir():
            found.append(Problem(str(entry), None, None, f"is not a folder: an earlier version is a folder {VERSIONS_DIR}/"
                                                         f"<YYYY-MM-DD>/ holding {TEXT_FILE}, {METADATA_FILE} and {CLAUSES_FILE}"))
        elif version_date(entry.name) is None:
            found.append(Problem(str(entry), None, None, f"version folder name {shorten(entry.name)} is not a date "
                                                         "(YYYY-MM-DD) that exists: name it by the day the version was "
                                                         "recorded (its archived_on)"))
        elif (entry / VERSIONS_DIR).exists():
            found.append(Problem(str(entry / VERSIONS_DIR), None, None, "a version folder holds no versions of its own; "
                                                                        f"move them to {versions}"))
    return found


def is_carried(directory: Path) -> bool:
    """Whether the folder's clauses.yaml was written by `privacy-kg carry` and not reviewed as a whole since
    (a person who has reviewed it deletes carry's header line)."""
    with open(directory / CLAUSES_FILE, "rb") as f:
        return f.readline().decode("utf-8", "replace").startswith(CARRIED_HEADER)


def version_date(name: str) -> str | None:
    """A version folder's name as its date (YYYY-MM-DD, a day that exists), or None."""
    try:
        return name if DATE.match(name) and dt.date.fromisoformat(name) else None
    except ValueError:
        return None


def version_dirs(company_dir: Path) -> list[Path]:
    """A company's earlier version folders (any name: check it with version_date), oldest first."""
    versions = Path(company_dir) / VERSIONS_DIR
    if not versions.is_dir():
        return []
    return sorted(p for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))


def _file_problems(directory: Path) -> list[Problem]:
    found = []
    for name in (TEXT_FILE, METADATA_FILE, CLAUSES_FILE):
        path = directory / name
        if not path.exists():
            found.append(Problem(str(path), None, None, "file is missing" if name != TEXT_FILE else "policy text is missing"))
        elif not path.is_file():
            found.append(Problem(str(path), None, None, "is not a regular file (a folder?); it must be a file"))
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class CompanyLoader:
    """Loads one company directory; appends what is wrong to `problems`."""

    def __init__(self, vocab: Vocabulary, keys: dict[str, KeySpec], problems: list[Problem]):
        self.vocab, self.keys, self.problems = vocab, keys, problems

    def load(self, directory: Path, slug: str | None = None, version: str | None = None) -> Company | None:
        """The current version of a company (its folder corpus/<slug>/), or with `version` (its date) the
        earlier version in `directory` (corpus/<slug>/versions/<date>/, or a folder staged for it)."""
        if version is None:
            slug = slug or directory.name
            unusable = folder_problems(directory, versions=False, slug=slug)
            self.problems.extend(unusable + versions_layout_problems(directory))
            if any(p.file != str(directory) for p in unusable):
                return None
            dates = [d.name for d in version_dirs(directory) if version_date(d.name)]
            previous = dates[-1] if dates else None
        else:
            unusable = _file_problems(directory)
            self.problems.extend(unusable)
            if unusable:
                return None
            earlier = [d.name for d in version_dirs(directory.parent.parent) if version_date(d.name) and d.name < version] \
                if directory.parent.name == VERSIONS_DIR else []
            previous = earlier[-1] if earlier else None
        text = self._read_text(directory / TEXT_FILE)
        metadata = _read_yaml(directory / METADATA_FILE, self.problems)
        tagged = _read_yaml(directory / CLAUSES_FILE, self.problems)
        if text is None or metadata is UNREADABLE or tagged is UNREADABLE:
            return None
        company = Company(slug, directory, {}, text, hashlib.sha256(text.encode("utf-8")).hexdigest(),
                          version=version, previous=previous, carried=is_carried(directory))
        self._metadata(company, metadata)
        self._dated(company, metadata)
        self._clauses(company, tagged)
        self._seals_backed(company)
        return company

    def load_versions(self, company_dir: Path) -> list[Company]:
        """Every earlier version of a company, oldest first (those that load)."""
        found = (self.load(d, company_dir.name, d.name) for d in version_dirs(company_dir) if version_date(d.name))
        return [c for c in found if c is not None]

    # -- pieces ----------------------------------------------------------------------------------
    def _problem(self, path: Path, line: int | None, clause: str | None, message: str) -> None:
        self.problems.append(Problem(str(path), line, clause, message))

    def _read_text(self, path: Path) -> str | None:
        """The policy text, a leading byte-order mark dropped (offsets count from the first character)."""
        if path.stat().st_size > MAX_TEXT_BYTES:
            self._problem(path, None, None, f"is larger than {MAX_TEXT_BYTES >> 20} MB")
            return None
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            self._problem(path, line, None, f"not UTF-8: byte {raw[e.start]:#x} at offset {e.start}; re-save the text as UTF-8")
            return None
        bad = quotes.control_character(text)
        if bad is not None:
            line, column = text.count("\n", 0, bad) + 1, bad - (text.rfind("\n", 0, bad) + 1) + 1
            self._problem(path, line, None, f"control character {text[bad]!r} at offset {bad} (column {column}); "
                                            "remove it (only tab, line feed and carriage return are allowed)")
            return None
        return text

    def _metadata(self, company: Company, meta: Any) -> None:
        path = company.directory / METADATA_FILE
        if not isinstance(meta, dict):
            self._problem(path, None, None, "metadata must be a mapping of fields")
            return
        meta.pop(LINE, None)
        for key in sorted(set(meta) - METADATA_KEYS, key=str):
            self._problem(path, _line(meta, key), None, f"unknown metadata field {shorten(key)}; known: {', '.join(sorted(METADATA_KEYS))}")
        for key in ("name", "sector"):
            if meta.get(key) is None or (isinstance(meta[key], str) and not meta[key].strip()):
                self._problem(path, _line(meta, key), None, f"required field {key!r} is missing or empty")
        self._metadata_values(path, meta)
        seals = []
        for name in _as_list(meta.get("seals") or []):
            seal = self._tag(path, _line(meta, "seals"), None, "seals", name, self.vocab.individuals(PK.PrivacySeal))
            if seal is not None:
                seals.append(seal)
        meta["seals"] = seals
        meta["jurisdictions"] = [j for j in (self._tag(path, _line(meta, "jurisdictions"), None, "jurisdictions", name,
                                                       self.vocab.individuals(PK.Jurisdiction))
                                             for name in _as_list(meta.get("jurisdictions") or [])) if j is not None]
        parties = meta.get("parties") or {}
        if not isinstance(parties, dict):
            self._problem(path, _line(meta, "parties"), None, "parties must map a key to {name, class}")
            parties = {}
        party_classes = self.vocab.descendants(PK.Party)
        class_slugs = {kebab(local_name(c)) for c in party_classes}
        for key, spec in parties.items():
            if key == LINE:
                continue
            line = _line(parties, key)
            if not isinstance(key, str) or not SLUG.match(key) or key in class_slugs:
                self._problem(path, line, None, f"party key {shorten(key)} must be a slug and not the name of a party class")
                continue
            if not isinstance(spec, dict) or not spec.get("name") or not spec.get("class"):
                self._problem(path, line, None, f"party {key!r} needs a name and a class")
                continue
            if not isinstance(spec["name"], str):
                self._problem(path, _line(spec, "name"), None, f"party {key!r}: name must be text, not {shorten(spec['name'])}")
                continue
            cls = self._tag(path, _line(spec, "class"), None, f"party {key} class", spec["class"], party_classes)
            if cls is not None:
                company.parties[key] = Party(key, spec["name"], cls)
        meta.pop("parties", None)
        company.metadata = meta

    def _dated(self, company: Company, meta: Any) -> None:
        """A version is named by the day it was recorded: an earlier version's archived_on is its folder's
        name, and a company with earlier versions dates its current one after all of them."""
        path = company.directory / METADATA_FILE
        line = _line(meta, "archived_on") if isinstance(meta, dict) else None
        recorded = company.recorded
        if company.version is not None:
            if recorded is None:
                self._problem(path, line, None, f"archived_on is required in an earlier version's metadata: the day the "
                                                f"version was recorded, {company.version} (its folder's name)")
            elif recorded != company.version:
                self._problem(path, line, None, f"archived_on {recorded} differs from the version folder's date "
                                                f"{company.version}: rename the folder or correct archived_on")
        elif company.previous is not None:
            versions = company.directory / VERSIONS_DIR
            if recorded is None:
                self._problem(path, line, None, f"archived_on is required when the company has earlier versions "
                                                f"({versions}): it dates the current version")
            elif recorded <= company.previous:
                self._problem(path, line, None, f"archived_on {recorded} is not after the latest earlier version "
                                                f"({versions / company.previous}): the current version is the newest; "
                                                "move the newer text here or correct archived_on")

    def _metadata_values(self, path: Path, meta: dict) -> None:
        """The schema of the scalar fields: text, http(s) URLs (typed xsd:anyURI), ISO dates."""
        for key in TEXT_FIELDS:
            value = meta.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and key == "copyright":
                meta[key] = str(value)  # a single year
            elif value is not None and not isinstance(value, str):
                self._problem(path, _line(meta, key), None, f"{key} must be text, not {shorten(value)}"
                              + ('; quote a range of years: "2004-2005"' if key == "copyright" else ""))
        for key in URL_FIELDS:
            value = meta.get(key)
            if value is not None and not is_url(value):
                self._problem(path, _line(meta, key), None, f"{key} must be an absolute http(s) URL, not {shorten(value)}")
        for key in DATE_FIELDS:
            value = meta.get(key)
            if value is None:
                continue
            try:
                if not (isinstance(value, str) and DATE.match(value)):
                    raise ValueError
                meta[key] = dt.date.fromisoformat(value)
            except ValueError:
                self._problem(path, _line(meta, key), None, f"{key} must be an ISO date (YYYY-MM-DD) that exists, "
                                                            f"not {shorten(value)}")
        if meta.get("format", "text/plain") not in TEXT_FORMATS:
            self._problem(path, _line(meta, "format"), None, f"format must be one of {', '.join(TEXT_FORMATS)}, "
                                                             f"not {shorten(meta['format'])}")
        if "ota" in meta:
            self._ota(path, meta)

    def _ota(self, path: Path, meta: dict) -> None:
        """`ota:` names the Open Terms Archive record of the text: repository URL, service, commit, snapshot."""
        ota = meta["ota"]
        if not isinstance(ota, dict):
            self._problem(path, _line(meta, "ota"), None, "ota must map repository, service, commit and snapshot")
            meta["ota"] = {}
            return
        ota.pop(LINE, None)
        for key in sorted(set(ota) ^ OTA_KEYS, key=str):
            known = "unknown ota field" if key in ota else "missing ota field"
            self._problem(path, _line(ota, key) or _line(meta, "ota"), None, f"{known} {shorten(key)}; ota needs exactly "
                                                                            f"{', '.join(sorted(OTA_KEYS))}")
        if "repository" in ota and not is_url(ota["repository"]):
            self._problem(path, _line(ota, "repository"), None, f"ota repository must be an absolute http(s) URL, "
                                                                f"not {shorten(ota['repository'])}")
        for key in ("service", "snapshot"):  # a snapshot is named as the commit body names it: URL, hash or store id
            if key in ota and not (isinstance(ota[key], str) and ota[key].strip()):
                self._problem(path, _line(ota, key), None, f"ota {key} must be text, not {shorten(ota[key])}")
        if "commit" in ota and not (isinstance(ota["commit"], str) and COMMIT.match(ota["commit"])):
            self._problem(path, _line(ota, "commit"), None, f"ota commit must be a full 40-character git hash, "
                                                            f"not {shorten(ota['commit'])}")

    def _clauses(self, company: Company, tagged: Any) -> None:
        path = company.directory / CLAUSES_FILE
        clauses = tagged.get("clauses") if isinstance(tagged, dict) else None
        if not isinstance(clauses, list):
            self._problem(path, None, None, "expected a mapping with a list under 'clauses'")
            return
        seen: dict[str, int] = {}
        for raw in clauses:
            if not isinstance(raw, dict):
                self._problem(path, _line(tagged, "clauses"), None, f"each clause must be a mapping, not {shorten(raw)}")
                continue
            line = raw.get(LINE)
            cid = raw.get("id")
            if not isinstance(cid, str) or not SLUG.match(cid):
                self._problem(path, line, None, f"clause id {shorten(cid)} is missing or not kebab-case")
                continue
            if cid in seen:
                self._problem(path, line, cid, f"duplicate clause id (first at line {seen[cid]})")
                continue
            seen[cid] = line
            clause = self._clause(company, path, raw, cid, line)
            if clause is not None:
                company.clauses.append(clause)

    def _clause(self, company: Company, path: Path, raw: dict, cid: str, line: int | None) -> Clause | None:
        for key in sorted(set(raw) - CLAUSE_KEYS - {LINE}, key=str):
            self._problem(path, _line(raw, key), cid, f"unknown clause field {shorten(key)}; known: {', '.join(sorted(CLAUSE_KEYS))}")
        quote = raw.get("quote")
        if not isinstance(quote, str) or not quote.strip():
            self._problem(path, _line(raw, "quote"), cid, "required field 'quote' is missing or empty")
            return None
        bad = quotes.control_character(quote)
        if bad is not None:
            self._problem(path, _line(raw, "quote"), cid, f"the quote holds the control character {quote[bad]!r} at "
                                                          f"character {bad + 1}; remove it")
            return None
        span = self._locate(company, path, raw, cid, quote)
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
        if confidence is not None and not (isinstance(confidence, (int, float)) and not isinstance(confidence, bool)
                                           and 0 <= confidence <= 1):
            self._problem(path, _line(raw, "confidence"), cid, f"confidence must be a number between 0 and 1, not {shorten(confidence)}")
        if span is None:
            return None
        start, end = span
        return Clause(cid, company.text[start:end], start, end, statements,
                      bool(raw.get("proposed", False)), confidence)

    def _locate(self, company: Company, path: Path, raw: dict, cid: str, quote: str) -> tuple[int, int] | None:
        """The span of the clause's quote: `occurrence` (a positive integer) says which one when the quote
        occurs more than once, and must then be given."""
        line = _line(raw, "occurrence")
        occurrence = raw.get("occurrence")
        if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1):
            self._problem(path, line, cid, f"occurrence must be a positive integer (1, 2, ...), not {shorten(occurrence)}")
            return None
        spans = quotes.occurrences(company.text, quote)
        if not spans:
            self._problem(
                path, _line(raw, "quote"), cid,
                f"quote not found in {TEXT_FILE}:\n    quote:   {shorten(quote.strip(), 300)}\n"
                f"    closest: {shorten(quotes.closest_passage(company.text, quote), 300)}",
            )
            return None
        if occurrence is None and len(spans) > 1:
            listed = "\n".join(f"    occurrence: {n}  at offset {start}: {shorten(quotes.context(company.text, start, end), 200, text=True)}"
                               for n, (start, end) in enumerate(spans[:10], start=1))
            more = f"\n    ... and {len(spans) - 10} more" if len(spans) > 10 else ""
            self._problem(path, _line(raw, "quote"), cid, f"the quote occurs {len(spans)} times in {TEXT_FILE}; "
                                                          f"add `occurrence: N` to say which:\n{listed}{more}")
            return None
        if (occurrence or 1) > len(spans):
            self._problem(path, line, cid, f"the quote occurs {len(spans)} time(s), not {occurrence}")
            return None
        return spans[(occurrence or 1) - 1]

    def _statement(self, company: Company, path: Path, cid: str, index: int, raw: Any, line) -> Statement | None:
        if not isinstance(raw, dict):
            self._problem(path, line, cid, f"statement {index} must be a mapping of keys, not {shorten(raw)}")
            return None
        line = raw.pop(LINE, line)
        values: dict[str, list[Any]] = {}
        for key in sorted(set(raw) - set(self.keys), key=str):
            near = ", ".join(n for n in sorted(self.keys) if n[:3] == str(key)[:3]) or ", ".join(sorted(self.keys))
            self._problem(path, _line(raw, key), cid, f"statement {index}: unknown key {shorten(key)} (did you mean: {near})")
        for key, spec in self.keys.items():
            if key not in raw or raw[key] in (None, []):
                if spec.required:
                    self._problem(path, line, cid, f"statement {index}: required key {key!r} is missing")
                continue
            given = raw[key]
            if isinstance(given, list) and not spec.many:
                self._problem(path, _line(raw, key), cid, f"statement {index}: {key!r} takes one value, not a list")
                continue
            resolved = [self._value(company, path, _line(raw, key), cid, index, spec, v) for v in _as_list(given)]
            if all(r is not None for r in resolved):
                values[key] = resolved
        if "practice" not in values:
            return None
        return Statement(index, values)

    def _value(self, company, path, line, cid, index, spec: KeySpec, value: Any):
        where = f"statement {index}: {spec.key}"
        if spec.key == "practice":
            return self._tag(path, line, cid, where, value, self.vocab.taggable_practices)
        if spec.info is None:  # note -> rdfs:comment
            if isinstance(value, (dict, list, bool)):
                self._problem(path, line, cid, f"{where} must be text, not {shorten(value)}")
                return None
            return str(value)
        if spec.info.kind == "literal":
            return self._literal(path, line, cid, where, spec, value)
        if spec.info.kind == "class" and spec.info.range == PK.Party and isinstance(value, str) and value in company.parties:
            return value  # a named party of the metadata
        allowed = self.vocab.allowed_values(spec.info)
        return self._tag(path, line, cid, where, value, allowed)

    def _literal(self, path, line, cid, where, spec: KeySpec, value: Any):
        datatype = local_name(spec.info.range)
        if datatype == "duration" and not (isinstance(value, str) and DURATION.match(value)):
            self._problem(path, line, cid, f"{where}: {shorten(value)} is not an ISO 8601 duration such as P10D or P1Y")
            return None
        if datatype == "nonNegativeInteger" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            self._problem(path, line, cid, f"{where}: {shorten(value)} is not a non-negative integer")
            return None
        return value

    def _tag(self, path, line, cid, where, name: Any, allowed: set[URIRef]) -> URIRef | None:
        """The ontology term a tag names; a tag is a name (text), never a list or a mapping."""
        if not isinstance(name, str):
            if isinstance(name, (dict, list)):
                self._problem(path, line, cid, f"{where}: a tag is a name, not {'a list' if isinstance(name, list) else 'a mapping'}: "
                                               f"{shorten(name)}; write `[A, B]` for several tags")
                return None
            name = str(name)
        term = self.vocab.resolve(name, allowed)
        if term is None:
            near = self.vocab.nearest(name[:100], allowed)
            hint = f"; nearest valid terms: {', '.join(near)}" if near else ""
            self._problem(path, line, cid, f"{where}: unknown tag {shorten(name)}{hint}")
        return term

    def _seals_backed(self, company: Company) -> None:
        claimed = {s for c in company.clauses for st in c.statements for s in st.values.get("seals", [])}
        for seal in company.metadata.get("seals", []):
            if seal not in claimed:
                self._problem(company.directory / METADATA_FILE, None, None,
                              f"seal {local_name(seal)} is listed but no clause claims it (add `seals: [{local_name(seal)}]` to the clause that does)")


def company_dirs(corpus_dir: Path, only: list[str] | None = None) -> list[Path]:
    if not corpus_dir.is_dir():
        raise InputError([Problem(str(corpus_dir), None, None, "the corpus folder is missing (or not a folder)")])
    dirs = sorted(p for p in corpus_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if only:
        missing = sorted(set(only) - {d.name for d in dirs})
        if missing:
            raise InputError([Problem(str(corpus_dir / m), None, None, "no such company in the corpus") for m in missing])
        dirs = [d for d in dirs if d.name in only]
    return dirs


def load_corpus(corpus_dir: Path, vocab: Vocabulary, keys: dict[str, KeySpec], only: list[str] | None = None,
                versions: bool = False) -> list[Company]:
    """The current version of each company; with `versions`, each followed by its earlier versions."""
    problems: list[Problem] = []
    loader = CompanyLoader(vocab, keys, problems)
    companies = []
    for d in company_dirs(corpus_dir, only):
        current = loader.load(d)
        companies += [current] if current is not None else []
        companies += loader.load_versions(d) if versions else []
    if problems:
        raise InputError(problems)
    return companies
