"""An OPP-115 policy -> the corpus records the seeds load into (Company, Clause, Statement), so the one
RDF mapping (mapping.company_graph) serves both.

- company: the policy's site, from the corpus documentation; slug `opp115-<uid>-<domain>`;
- policy text: the sanitized HTML file, verbatim (the offsets of the corpus count its characters);
- clause: a segment that carries practices (`segment-<n>`, quote = the segment's HTML, offsets in the file);
- statement: a practice, its values mapped by mappings/opp115.yaml to ontology terms.
The spans behind each statement's values travel beside the records (`Imported.practices`) for the
provenance builder."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from privacy_kg.corpus import Clause, Company, Statement
from privacy_kg.opp115.practices import Practice
from privacy_kg.opp115.reader import DOCS, POLICIES_CSV, POLICIES_DIR, Policy
from privacy_kg.opp115.table import PARTY, PARTY_ROLE, Table
from privacy_kg.problems import Problem

SLUG_PREFIX = "opp115"
UNCLASSIFIED = "unclassified"
GEOGRAPHIC = {"Regional", "World"}  # DMOZ top levels that say where, not what


@dataclass
class Imported:
    company: Company
    text_source: str  # the policy file, relative to the corpus folder
    practices: dict[tuple[str, int], Practice]  # (clause id, statement index) -> the practice behind it
    conflicts: Counter = field(default_factory=Counter)  # single-valued key -> practices that had several values


def slug_for(policy: Policy) -> str:
    return f"{SLUG_PREFIX}-{policy.uid}-{slugify(policy.domain)}"


def slugify(text: str) -> str:
    """'1028_redorbit.com' -> '1028-redorbit-com', 'Does/Does Not' -> 'does-does-not'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def clause_id(segment: int) -> str:
    return f"segment-{segment}"


def sector(sectors: list[str]) -> str:
    """The site's most frequent top-level DMOZ category, geographic ones only when there is no other."""
    tops = [s.split(":", 1)[0].strip() for s in sectors]
    counts = Counter(t for t in tops if t not in GEOGRAPHIC) or Counter(tops)
    return counts.most_common(1)[0][0] if counts else UNCLASSIFIED


def metadata(policy: Policy, problems: list[Problem]) -> dict[str, Any]:
    def date(value: str | None, what: str) -> dt.date | None:
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            problems.append(Problem(f"{DOCS}/{POLICIES_CSV}", None, None, f"policy {policy.uid}: {what} {value!r} is not a date (YYYY-MM-DD)"))
            return None

    url = policy.url
    return {
        "name": policy.site_name or policy.domain,
        "website": f"http://{policy.site}/" if policy.site else None,
        "sector": sector(policy.sectors),
        "source_url": url if url is None or "://" in url else f"http://{url}",
        "archived_on": date(policy.collected_on, "collection date"),
        "last_updated": date(policy.last_updated, "last-updated date"),
        "seals": [],
    }


class Adapter:
    def __init__(self, table: Table, problems: list[Problem]):
        self.table, self.problems = table, problems

    def adapt(self, policy: Policy, practices: list[Practice]) -> Imported:
        """The company record of a policy whose practices are given (see practices.py)."""
        by_segment: dict[int, list[Practice]] = {}
        for practice in practices:
            by_segment.setdefault(practice.segment, []).append(practice)
        imported = Imported(Company(
            slug_for(policy), Path(policy.html_file).parent, metadata(policy, self.problems), policy.text,
            hashlib.sha256(policy.text.encode("utf-8")).hexdigest()),
            f"{POLICIES_DIR}/{Path(policy.html_file).name}", {})
        for index in sorted(by_segment):
            segment, cid = policy.segments[index], clause_id(index)
            statements = []
            for number, practice in enumerate(by_segment[index], start=1):
                statement = self.statement(practice, number, imported.conflicts)
                if statement is not None:
                    statements.append(statement)
                    imported.practices[cid, number] = practice
            imported.company.clauses.append(Clause(cid, segment.html, segment.start, segment.end, statements))
        return imported

    def statement(self, practice: Practice, index: int, conflicts: Counter) -> Statement | None:
        first = practice.annotations[0]
        category = self.table.categories.get(practice.category)
        if category is None:
            self._problem(first, f"category {practice.category!r} is not in {self.table.path.name}")
            return None
        values: dict[str, list[Any]] = {}
        parties: list[Any] = []
        role = category.party_role
        for choice in practice.choices:
            entry = self.table.entry(practice.category, choice.attribute, choice.value)
            if entry is None:
                self._problem(first, f"{practice.category}: {choice.attribute}: value {choice.value!r} is not in {self.table.path.name}")
                continue
            for key, terms in entry.items():
                if key == PARTY_ROLE:
                    role = terms[0]
                elif key == PARTY:
                    parties += terms
                else:
                    _extend(values, key, terms)
        if not parties and role == "actor" and category.acting_party is not None:
            parties = [category.acting_party]  # a third party acts, the annotator did not say which
        if parties:
            if role is None:
                self._problem(first, f"{practice.category}: a value gives a party but the category has no {PARTY_ROLE}")
            else:
                _extend(values, role, parties)
        for key, terms in self.table.defaults.items():
            values.setdefault(key, list(terms))
        values.setdefault("practice", [category.practice])
        for key, terms in values.items():
            if len(terms) > 1 and not self.table.keys[key].many:
                conflicts[key] += 1
                values[key] = terms[:1]  # choices come most voted first
        return Statement(index, values)

    def _problem(self, annotation, message: str) -> None:
        self.problems.append(Problem(annotation.file, annotation.line or None, None, f"annotation {annotation.id}: {message}"))


def _extend(values: dict[str, list[Any]], key: str, terms: list[Any]) -> None:
    have = values.setdefault(key, [])
    have += [t for t in terms if t not in have]
