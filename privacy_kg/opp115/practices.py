"""OPP-115 practices as the adapter takes them: one per annotation (consolidated or raw CSVs), or one per
(segment, category) that a majority of annotators agree on (raw CSVs, --majority).

Either way a practice is a segment, a category, the annotations behind it and the attribute values
chosen for it, each with its votes and the spans the annotators selected for it."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from privacy_kg.opp115.reader import NOT_SELECTED, Annotation, Span

QUORUM = 2  # distinct annotators (of 3) that must agree
# Attributes a practice holds one value of: when two of its values each reach the majority (one annotator
# among three gives both), the segment says two things, so each value gets a practice of its own.
ONE_READING = ("Does/Does Not",)


@dataclass(frozen=True)
class Choice:
    attribute: str
    value: str
    votes: int  # distinct annotators who chose it (1 for a single annotation)
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Practice:
    segment: int
    category: str
    annotations: tuple[Annotation, ...]
    choices: tuple[Choice, ...]  # most voted first
    reading: str | None = None  # "attribute: value" when the majority split the segment's practice by it


def one_per_annotation(annotations: list[Annotation]) -> list[Practice]:
    """Each annotation (a row of a consolidated or raw CSV) as a practice, in file order."""
    return [
        Practice(a.segment, a.category, (a,), tuple(
            Choice(name, span.value, 1, (span,)) for name, span in a.spans.items() if span.value != NOT_SELECTED))
        for a in annotations
    ]


def by_majority(annotations: list[Annotation], quorum: int = QUORUM) -> tuple[list[Practice], int]:
    """One practice per (segment, category) given by at least `quorum` distinct annotators, with the
    attribute values that at least `quorum` of them chose. Returns the practices (by segment, then
    category) and how many annotations fell below the quorum."""
    practices, below = [], 0
    key = lambda a: (a.segment, a.category)  # noqa: E731
    for (segment, category), group in groupby(sorted(annotations, key=key), key=key):
        group = tuple(group)
        if len({a.annotator for a in group}) < quorum:
            below += len(group)
            continue
        voters: dict[tuple[str, str], set[str]] = {}
        spans: dict[tuple[str, str], list[Span]] = {}
        for a in group:
            for name, span in a.spans.items():
                if span.value != NOT_SELECTED:
                    voters.setdefault((name, span.value), set()).add(a.annotator)
                    spans.setdefault((name, span.value), []).append(span)
        choices = [Choice(name, value, len(who), tuple(spans[name, value]))
                   for (name, value), who in voters.items() if len(who) >= quorum]
        choices.sort(key=lambda c: -c.votes)  # stable: ties keep the order annotators gave them
        practices += _readings(Practice(segment, category, group, tuple(choices)))
    return practices, below


def _readings(practice: Practice) -> list[Practice]:
    """The practice, or one per majority value of a ONE_READING attribute that has several."""
    for attribute in ONE_READING:
        values = [c.value for c in practice.choices if c.attribute == attribute]
        if len(values) > 1:
            return [Practice(practice.segment, practice.category,
                             tuple(a for a in practice.annotations if a.value(attribute) == value),
                             tuple(c for c in practice.choices if c.attribute != attribute or c.value == value),
                             f"{attribute}: {value}")
                    for value in values]
    return [practice]
