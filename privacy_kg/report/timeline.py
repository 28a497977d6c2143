"""A company's policy over time, for its timeline page: the recorded versions in order and, between each two
consecutive ones, the statements added, removed and changed (each with its clause's old and new quotes, the
changed words marked), the statements kept (counted), the clauses reworded without a change of statement,
and what the earlier version promised about announcing changes.

Read through SPARQL over every version's graph (kg/ and kg/history/): the stored queries version-timeline
(versions, dates, counts), version-practice-changes (what changed) and policy-change-promises (the promise),
whose answers the report already has for their pages, and the report's own version-sources.rq (slug and
source of each version) and version-clauses.rq (each version's quotes). Only companies with more than one
version get a timeline."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from privacy_kg import queries
from privacy_kg.carry import word_changes
from privacy_kg.report import data as report_data

STORED = ("version-timeline", "version-practice-changes", "policy-change-promises")
KINDS = ("changed", "added", "removed", "reworded")  # the order of a change's lists
DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
Quotes = dict[str, tuple[int, str]]  # clause id -> (start, quote) in one version


@dataclass(frozen=True)
class Words:
    """A run of a quote's words; `changed`: not in the other version's quote (or no such quote)."""
    text: str
    changed: bool = False


@dataclass
class Version:
    recorded: str  # the day the version was recorded (prov:generatedAtTime)
    last_updated: str  # the date the text states, "" when it states none
    carried: bool  # its clauses were carried by machine and await review as a whole
    practices: int
    sources: list[tuple[str, str]] = field(default_factory=list)  # (what, URL)


@dataclass
class Entry:
    """A clause whose statements changed between two versions (or whose words did: `reworded`)."""
    change: str  # one of KINDS
    clause: str
    practices: list[str]
    before: list[str]  # "property: value" only the earlier version states
    after: list[str]  # and only the later one
    proposed: bool  # the later statement was carried or drafted by machine and awaits review
    old: list[Words] | None  # the clause as the earlier version words it (None: not in that version)
    new: list[Words] | None
    position: int = 0  # where the clause starts (in the later version, or the earlier when removed)


@dataclass
class Promise:
    clause: str
    modality: str
    notice_period: str
    notifications: list[str]
    quote: str


@dataclass
class Change:
    earlier: Version
    later: Version
    added: int  # statements, as version-timeline counts them
    removed: int
    changed: int
    entries: list[Entry]
    promises: list[Promise]  # what the earlier version promised about announcing changes
    text_changed: bool  # the two texts differ (policy-change-promises lists only such pairs)

    @property
    def kept(self) -> int:
        return self.later.practices - self.added - self.changed

    @property
    def anchor(self) -> str:
        return f"change-{self.later.recorded}"

    def of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.change == kind]


@dataclass
class Timeline:
    slug: str
    name: str
    versions: list[Version]
    changes: list[Change]

    def change_to(self, version: Version) -> Change | None:
        """The change that led to `version` (None for the first recorded one)."""
        return next((c for c in self.changes if c.later is version), None)


def duration_text(iso: str) -> str:
    """An ISO 8601 duration in words: P1Y6M -> 1 year 6 months, PT0S -> 0 days; anything else as given."""
    match = DURATION.match(iso)
    if not match or iso in ("P", "PT"):
        return iso
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for unit, n in zip(UNITS, (int(g or 0) for g in match.groups())) if n]
    return " ".join(parts) or "0 days"


def side_by_side(old: str | None, new: str | None) -> tuple[list[Words] | None, list[Words] | None]:
    """The two quotes as runs of words, what differs marked on each side (carry.word_changes aligns them);
    a quote with nothing to compare with is marked whole."""
    if old is None or new is None:
        return (None if old is None else [Words(" ".join(old.split()), True)],
                None if new is None else [Words(" ".join(new.split()), True)])
    before, after = [], []
    for same, removed, added in word_changes(old, new):
        if removed:
            before.append(Words(" ".join(removed), not same))
        if added:
            after.append(Words(" ".join(added), not same))
    return before, after


def _items(value: object) -> list[str]:
    return [item for item in str(value or "").split(queries.LIST_SEPARATOR) if item]


def load(store: ox.Store, results: dict[str, queries.Result | None]) -> tuple[dict[str, Timeline], list[str]]:
    """The timeline of every company with more than one version, by slug, from the stored queries' answers
    (`results`, by query name: None when it failed) and the report's own queries; and the problems worth
    telling (a stored query missing or failed: then no timeline)."""
    sources, names = _sources(store)
    with_history = {slug for slug, versions in sources.items() if len(versions) > 1}
    if not with_history:
        return {}, []
    missing = [name for name in STORED if results.get(name) is None]
    if missing:
        return {}, [f"no timeline pages: the stored quer{'ies' if len(missing) > 1 else 'y'} {', '.join(missing)} "
                    f"{'are' if len(missing) > 1 else 'is'} missing from queries/ or failed"]
    problems = []
    slug_of = {}  # the stored queries name a company by its label
    for name, slugs in names.items():
        if len(slugs & with_history) > 1:
            problems.append(f"no timeline for {', '.join(sorted(slugs))}: they share the name {name!r}, which the stored queries go by")
        elif slugs & with_history:
            slug_of[name] = next(iter(slugs & with_history))
    quotes: dict[tuple[str, str], Quotes] = defaultdict(dict)  # (slug, recorded) -> the version's clauses
    for r in report_data.run(store, "version-clauses"):
        if r["slug"] in with_history:
            quotes[(r["slug"], str(r["recorded"]))].setdefault(r["clause"], (int(r["start"]), r["quote"]))

    versions: dict[str, dict[str, Version]] = defaultdict(dict)
    revisions: dict[tuple[str, str], tuple[str, int, int, int]] = {}  # (slug, recorded) -> revised, added, removed, changed
    for slug, r in _rows(results["version-timeline"], slug_of):
        recorded = str(r["recorded"])
        versions[slug][recorded] = Version(recorded, str(r.get("lastUpdated", "")), bool(r.get("carried")),
                                           int(r.get("practices", 0)), sources[slug].get(recorded, []))
        if r.get("revises"):
            revisions[(slug, recorded)] = (str(r["revises"]), int(r.get("added", 0)), int(r.get("removed", 0)), int(r.get("changed", 0)))
    entries: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)  # (slug, from, to) -> what changed
    for slug, r in _rows(results["version-practice-changes"], slug_of):
        key = (slug, str(r["from"]), str(r["to"]))
        entries[key].append(_entry(str(r["change"]), str(r["clause"]), quotes[key[:2]], quotes[(slug, key[2])],
                                   _items(r.get("practice")), _items(r.get("before")), _items(r.get("after")),
                                   bool(r.get("proposed"))))
    promises: dict[tuple[str, str, str], list[Promise]] = {}  # a pair whose texts differ, even with no promise
    for slug, r in _rows(results["policy-change-promises"], slug_of):
        found = promises.setdefault((slug, str(r["from"]), str(r["to"])), [])
        if r.get("clause"):
            found.append(Promise(str(r["clause"]), str(r.get("modality", "")), str(r.get("noticePeriod", "")),
                                 _items(r.get("notifications")), str(r.get("promise", ""))))

    timelines = {}
    for name, slug in sorted(slug_of.items(), key=lambda kv: kv[1]):
        changes = []
        for later in versions[slug].values():
            revised, added, removed, changed = revisions.get((slug, later.recorded), ("", 0, 0, 0))
            if revised not in versions[slug]:
                continue  # the first recorded version
            key = (slug, revised, later.recorded)
            listed = entries.get(key, [])
            listed = listed + reworded(quotes[key[:2]], quotes[(slug, key[2])], {e.clause for e in listed})
            listed.sort(key=lambda e: (KINDS.index(e.change), e.position, e.clause))
            changes.append(Change(versions[slug][revised], later, added, removed, changed, listed, promises.get(key, []),
                                  key in promises))
        ordered = sorted(versions[slug].values(), key=lambda v: v.recorded)
        timelines[slug] = Timeline(slug, name, ordered, sorted(changes, key=lambda c: c.later.recorded))
    return timelines, problems


def _sources(store: ox.Store) -> tuple[dict[str, dict[str, list[tuple[str, str]]]], dict[str, set[str]]]:
    """Each company's versions with their sources (slug -> recorded -> [(what, URL)]), and the slugs by name."""
    sources: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(dict)
    names: dict[str, set[str]] = defaultdict(set)
    for r in report_data.run(store, "version-sources"):
        found = sources[r["slug"]].setdefault(str(r["recorded"]), [])
        for key, what in (("sourceUrl", "source"), ("archiveUrl", "archived copy"), ("otaSnapshot", "Open Terms Archive snapshot")):
            if key in r and (what, str(r[key])) not in found:
                found.append((what, str(r[key])))
        names[str(r["name"])].add(r["slug"])
    return sources, names


def _rows(result: queries.Result, slug_of: dict[str, str]):
    """(slug, row) for each row of a stored query's answer about a company with a timeline."""
    for r in result.rows:
        slug = slug_of.get(str(r.get("company", "")))
        if slug is not None:
            yield slug, r


def _entry(change: str, clause: str, old_quotes: Quotes, new_quotes: Quotes, practices: list[str], before: list[str],
           after: list[str], proposed: bool) -> Entry:
    old, new = old_quotes.get(clause), new_quotes.get(clause)
    old_words, new_words = side_by_side(old[1] if old else None, new[1] if new else None)
    placed = old if change == "removed" else new or old  # sorted where the reader finds it
    return Entry(change, clause, practices, before, after, proposed, old_words, new_words, placed[0] if placed else 0)


def reworded(old_quotes: Quotes, new_quotes: Quotes, listed: set[str]) -> list[Entry]:
    """The clauses in both versions, worded differently, whose statements are all kept."""
    found = []
    for clause, (start, quote) in new_quotes.items():
        if clause in listed or clause not in old_quotes or old_quotes[clause][1].split() == quote.split():
            continue
        old_words, new_words = side_by_side(old_quotes[clause][1], quote)
        found.append(Entry("reworded", clause, [], [], [], False, old_words, new_words, start))
    return found
