"""What the report shows, read with SPARQL from the embedded store (the report's own queries are in
sparql/, parsed and run like the stored competency questions), plus the validation summary that
`privacy-kg validate` wrote to kg/validation/summary.json."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from privacy_kg import queries
from privacy_kg.compliance import NOT_IN_SCOPE, STATED

SPARQL_DIR = Path(__file__).parent / "sparql"
MODALITY_ORDER = ("pk:Does", "pk:May", "pk:DoesNot")  # the order of the badges; other modalities follow
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # slugs and query names become file names

# The facts a company page lists up front: a heading and the practice property whose values it gathers.
FACTS = (
    ("Privacy seals and programmes", "pk:claimsSeal"),
    ("Laws cited", "pk:citesLaw"),
    ("Children's age limit", "pk:hasAgeLimit"),
    ("Choice and opt-out mechanisms", "pk:hasChoiceMechanism"),
)


class ReportError(ValueError):
    """The report cannot be built; the message says why."""


def local(iri: str) -> str:
    """The local name of a compact or full IRI: pk:DoesNot -> DoesNot, id:acme/practice/x-1 -> x-1."""
    return re.split(r"[:#/]", iri)[-1]


@dataclass(frozen=True)
class Term:
    iri: str  # compact where a prefix is known (pk:Does), else the full IRI
    label: str
    definition: str = ""

    @property
    def local(self) -> str:
        return local(self.iri)


@dataclass(frozen=True)
class Clause:
    id: str
    start: int
    end: int
    quote: str


@dataclass
class Attribute:
    property: Term
    values: list[Term]


@dataclass
class Practice:
    iri: str
    modality: Term
    clauses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tags: list[Term] = field(default_factory=list)
    topics: list[Term] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "practice-" + local(self.iri)

    @property
    def label(self) -> str:
        return ", ".join(t.label for t in self.tags) or "practice"

    def values(self, prop: str) -> list[Term]:
        return [v for a in self.attributes if a.property.iri == prop for v in a.values]


@dataclass
class Finding:
    severity: str
    message: str
    quote: str = ""


@dataclass(frozen=True)
class RequiredItem:
    id: str
    label: str
    article: str


@dataclass
class RegulatoryProfile:
    """A regulatory completeness profile as `privacy-kg validate` checked it (kg/validation/summary.json)."""

    id: str
    label: str
    items: list[RequiredItem]


@dataclass
class FactEntry:
    value: Term
    practices: list[Practice]  # the practices that state it (none: from the policy's metadata)


@dataclass
class Fact:
    title: str
    property: str
    entries: list[FactEntry]


@dataclass
class Company:
    iri: str
    slug: str
    name: str
    meta: dict[str, str]  # sector, website, sourceUrl, archiveUrl, archivedOn, lastUpdated, copyright
    text_source: str
    text_sha256: str
    seals: list[Term] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
    clauses: dict[str, Clause] = field(default_factory=dict)
    findings: list[Finding] | None = None  # None: no validation summary for this company
    inconsistencies: list[str] = field(default_factory=list)
    compliance: dict[str, dict[str, str]] = field(default_factory=dict)  # profile id -> item id -> status

    def in_scope(self, profile: RegulatoryProfile) -> bool:
        return any(status != NOT_IN_SCOPE for status in self.compliance.get(profile.id, {}).values())

    def stated(self, profile: RegulatoryProfile) -> int:
        return sum(status == STATED for status in self.compliance.get(profile.id, {}).values())

    def practices_in(self, topic: Term) -> list[Practice]:
        return [p for p in self.practices if topic in p.topics]

    def modality_counts(self, topic: Term, modalities: list[Term]) -> list[tuple[Term, int]]:
        counts = Counter(p.modality for p in self.practices_in(topic))
        return [(m, counts[m]) for m in modalities if counts[m]]

    @cached_property
    def facts(self) -> list[Fact]:
        facts = []
        for title, prop in FACTS:
            by_value: dict[Term, list[Practice]] = {}
            if prop == "pk:claimsSeal":
                by_value.update({seal: [] for seal in self.seals})
            for practice in self.practices:
                for value in practice.values(prop):
                    by_value.setdefault(value, []).append(practice)
            entries = [FactEntry(v, ps) for v, ps in sorted(by_value.items(), key=lambda kv: _natural(kv[0].label))]
            facts.append(Fact(title, prop, entries))
        return facts


@dataclass
class ReportData:
    companies: list[Company]
    topics: list[Term]
    core_topics: list[Term]
    modalities: list[Term]
    validated: bool  # kg/validation/summary.json was there
    profiles: list[RegulatoryProfile] = field(default_factory=list)

    def company(self, slug: str) -> Company:
        return next(c for c in self.companies if c.slug == slug)

    def in_scope(self, profile: RegulatoryProfile) -> list[Company]:
        return [c for c in self.companies if c.in_scope(profile)]


def _natural(text: str) -> tuple:
    """Sort key: case-insensitive, numbers by value (age limits 13 < 18 < 100)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text.casefold()) if p)


def run(store: ox.Store, name: str) -> list[dict]:
    return queries.run_embedded(store, queries.parse(SPARQL_DIR / f"{name}.rq")).rows


def load(store: ox.Store, kg_dir: Path) -> ReportData:
    topic_rows = run(store, "topics")
    topics = [Term(r["topic"], r["label"], r.get("definition", "")) for r in topic_rows]
    core = [t for t, r in zip(topics, topic_rows) if r.get("core")]
    modalities = sorted((Term(r["modality"], r["label"], r.get("definition", "")) for r in run(store, "modalities")),
                        key=lambda m: (MODALITY_ORDER.index(m.iri) if m.iri in MODALITY_ORDER else len(MODALITY_ORDER), m.iri))
    companies = _companies(store)
    _attach_practices(store, companies, {m.iri: m for m in modalities}, {t.iri: t for t in topics})
    validated, profiles = _attach_findings(kg_dir, companies)
    ordered = sorted(companies.values(), key=lambda c: (_natural(c.name), c.slug))
    return ReportData(ordered, topics, core, modalities, validated, profiles)


def _companies(store: ox.Store) -> dict[str, Company]:
    companies: dict[str, Company] = {}
    for r in run(store, "companies"):
        slug = r["slug"]
        if not SAFE_NAME.match(slug):
            raise ReportError(f"company slug {slug!r} cannot name a file (letters, digits, '.', '_' and '-' only)")
        if slug in companies:
            continue  # a second value of an optional field: the first (in query order) wins
        meta = {k: str(r[k]) for k in ("sector", "website", "sourceUrl", "archiveUrl", "archivedOn", "lastUpdated", "copyright") if k in r}
        companies[slug] = Company(r["company"], slug, r["name"], meta, r.get("textSource", ""), r.get("textSha256", ""))
    for r in run(store, "company-seals"):
        if r["slug"] in companies:
            companies[r["slug"]].seals.append(Term(r["seal"], r["label"]))
    for r in run(store, "clauses"):
        if r["slug"] in companies:
            companies[r["slug"]].clauses.setdefault(r["clause"], Clause(r["clause"], int(r["start"]), int(r["end"]), r["quote"]))
    return companies


def _attach_practices(store: ox.Store, companies: dict[str, Company], modalities: dict[str, Term], topics: dict[str, Term]) -> None:
    practices: dict[str, Practice] = {}
    for r in run(store, "practices"):
        company = companies.get(r["slug"])
        if company is None:
            continue
        practice = practices.get(r["practice"])
        if practice is None:
            modality = modalities.get(r["modality"], Term(r["modality"], local(r["modality"])))
            practice = practices[r["practice"]] = Practice(r["practice"], modality)
            company.practices.append(practice)
        _add_once(practice.clauses, r["clause"])
        if r.get("comment"):
            _add_once(practice.notes, r["comment"])
    for r in run(store, "practice-classes"):
        if r["practice"] in practices:
            practice = practices[r["practice"]]
            if r["kind"] == "topic":
                _add_once(practice.topics, topics.get(r["class"], Term(r["class"], r["label"])))
            else:
                _add_once(practice.tags, Term(r["class"], r["label"]))
    for r in run(store, "practice-attributes"):
        practice = practices.get(r["practice"])
        if practice is None:
            continue
        if not practice.attributes or practice.attributes[-1].property.iri != r["property"]:
            practice.attributes.append(Attribute(Term(r["property"], r["propertyLabel"]), []))
        _add_once(practice.attributes[-1].values, Term(str(r["value"]), str(r["valueLabel"])))
    for company in companies.values():
        company.practices.sort(key=lambda p: (min((company.clauses[c].start for c in p.clauses if c in company.clauses), default=-1), _natural(p.iri)))
        for practice in company.practices:
            practice.clauses.sort(key=lambda c: (company.clauses[c].start if c in company.clauses else -1, c))


def _add_once(items: list, item) -> None:
    if item not in items:
        items.append(item)


def _attach_findings(kg_dir: Path, companies: dict[str, Company]) -> tuple[bool, list[RegulatoryProfile]]:
    """The validation summary's findings and compliance matrix, onto the companies; whether there was a
    summary, and the regulatory profiles it checked."""
    path = kg_dir / "validation" / "summary.json"
    if not path.exists():
        return False, []
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        profiles = [RegulatoryProfile(str(p["id"]), str(p["label"]),
                                      [RequiredItem(str(i["id"]), str(i["label"]), str(i["article"])) for i in p["items"]])
                    for p in summary.get("profiles", [])]
        for entry in summary.get("companies", []):
            company = companies.get(entry.get("slug"))
            if company is None:
                continue
            company.findings = [Finding(str(f.get("severity", "")), str(f.get("message", "")), str(f.get("quote", "")))
                                for f in entry.get("findings", [])]
            company.inconsistencies = [str(i) for i in entry.get("inconsistencies", [])]
            company.compliance = {str(p): {str(i): str(s) for i, s in items.items()} for p, items in entry.get("compliance", {}).items()}
    except (ValueError, AttributeError, TypeError, KeyError) as e:
        raise ReportError(f"{path}: not a validation summary ({e}); run `privacy-kg validate`") from e
    return True, profiles
