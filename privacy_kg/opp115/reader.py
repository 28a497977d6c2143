"""Reading an OPP-115-format folder (Wilson et al., ACL 2016): sanitized policy HTML split into segments by
'|||', annotation CSVs (one row per practice, Excel dialect, no header), and the documentation CSVs.

Offsets: the corpus's start/endIndexInSegment count characters of the *raw* sanitized segment (HTML tags
included); selectedText is that span with the tags removed. Segment offsets here are made absolute in
the policy file, so a span is file_text[start:end]. Errata (missing spans, -1 indexes, spans that do not
match the text) are kept and flagged, never dropped."""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SEPARATOR = "|||"
NOT_SELECTED = "not-selected"
UNSPANNED = {NOT_SELECTED, "Unspecified", "Does"}  # values the tool stores without a span (defaults)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Segment:
    index: int
    start: int  # offset of the segment in the policy file
    end: int
    html: str

    @property
    def text(self) -> str:
        """The segment as plain text: tags removed, entities decoded, whitespace collapsed."""
        return re.sub(r"\s+", " ", html.unescape(TAG.sub(" ", self.html))).strip()


@dataclass(frozen=True)
class Span:
    """One attribute value of a practice, with its text span when the annotator selected one."""

    attribute: str
    value: str
    text: str | None
    start: int | None  # absolute offsets in the policy file, None when the span is missing
    end: int | None
    erratum: str | None = None  # why the span could not be placed, if it could not


@dataclass
class Annotation:
    id: str
    annotator: str
    segment: int
    category: str
    spans: dict[str, Span]

    @property
    def consolidated(self) -> bool:
        return self.id.startswith("C")

    def value(self, attribute: str) -> str | None:
        span = self.spans.get(attribute)
        return None if span is None or span.value == NOT_SELECTED else span.value


@dataclass
class Policy:
    uid: str  # the numeric prefix of the file names, the key of documentation/policies_opp115.csv
    name: str  # the file stem, e.g. 1028_redorbit.com
    text: str  # the sanitized HTML file, verbatim
    segments: list[Segment]
    annotations: list[Annotation]
    url: str | None = None
    collected_on: str | None = None
    last_updated: str | None = None
    site_name: str | None = None
    site: str | None = None
    errata: Counter = field(default_factory=Counter)

    @property
    def domain(self) -> str:
        return self.name.split("_", 1)[1] if "_" in self.name else self.name


def split_segments(text: str) -> list[Segment]:
    segments, pos = [], 0
    for index, chunk in enumerate(text.split(SEPARATOR)):
        segments.append(Segment(index, pos, pos + len(chunk), chunk))
        pos += len(chunk) + len(SEPARATOR)
    return segments


def _span(attribute: str, raw: dict, segment: Segment | None) -> Span:
    value = str(raw.get("value", NOT_SELECTED))
    text = raw.get("selectedText")
    start, end = raw.get("startIndexInSegment"), raw.get("endIndexInSegment")
    if "selectedText" not in raw and value not in UNSPANNED:
        return Span(attribute, value, None, None, None, "missing span")
    if value == NOT_SELECTED or text in (None, "null", "Not selected"):
        return Span(attribute, value, None, None, None)  # no span selected: normal for optional values
    if segment is None:
        return Span(attribute, value, text, None, None, "segment out of range")
    if not isinstance(start, int) or not isinstance(end, int) or start < 0 or end <= start:
        return Span(attribute, value, text, None, None, "index -1 or empty")
    raw_span = segment.html[start:end]
    if raw_span != text and _plain(raw_span) != _plain(text):
        return Span(attribute, value, text, None, None, "span does not match the text")
    return Span(attribute, value, text, segment.start + start, segment.start + end)


def _plain(s: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(TAG.sub("", s))).strip()


def read_annotations(csv_path: Path, segments: list[Segment], errata: Counter) -> list[Annotation]:
    annotations = []
    with open(csv_path, encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.reader(f), start=1):
            if len(row) < 7:
                errata["malformed row"] += 1
                continue
            try:
                segment_index = int(row[4])
                attributes = json.loads(row[6])
            except (ValueError, json.JSONDecodeError):
                errata["malformed row"] += 1
                continue
            segment = segments[segment_index] if 0 <= segment_index < len(segments) else None
            spans = {name: _span(name, raw, segment) for name, raw in sorted(attributes.items()) if isinstance(raw, dict)}
            for span in spans.values():
                if span.erratum:
                    errata[span.erratum] += 1
            annotations.append(Annotation(row[0], row[2], segment_index, row[5], spans))
    return annotations


def _documentation(root: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    docs = root / "documentation"
    policies, sites = {}, {}
    if (docs / "policies_opp115.csv").exists():
        with open(docs / "policies_opp115.csv", encoding="utf-8", newline="") as f:
            policies = {r[0]: r for r in list(csv.reader(f))[1:] if r}
    if (docs / "websites_opp115.csv").exists():
        with open(docs / "websites_opp115.csv", encoding="utf-8", newline="") as f:
            sites = {r[3]: r for r in list(csv.reader(f))[1:] if len(r) > 3}
    return policies, sites


def read_folder(root: Path, consolidated: bool = True) -> Iterator[Policy]:
    """Every policy of an OPP-115-format folder, in file-name order. `consolidated` reads consolidation/
    (the corpus's merged practices); otherwise annotations/ (every annotator's practices)."""
    root = Path(root)
    annotations_dir = root / ("consolidation" if consolidated else "annotations")
    policies, sites = _documentation(root)
    for html_path in sorted((root / "sanitized_policies").glob("*.html")):
        text = html_path.read_text(encoding="utf-8")
        segments = split_segments(text)
        errata: Counter = Counter()
        csv_path = annotations_dir / f"{html_path.stem}.csv"
        annotations = read_annotations(csv_path, segments, errata) if csv_path.exists() else []
        uid = html_path.stem.split("_", 1)[0]
        p, s = policies.get(uid, []), sites.get(uid, [])
        yield Policy(
            uid, html_path.stem, text, segments, annotations,
            url=(p[1] or None) if len(p) > 1 else None,
            collected_on=(p[2] or None) if len(p) > 2 else None,
            last_updated=(p[3] or None) if len(p) > 3 else None,
            site=(s[1] or None) if len(s) > 1 else None,
            site_name=(s[2] or None) if len(s) > 2 else None,
            errata=errata,
        )


def majority_categories(policy: Policy, quorum: int = 2) -> dict[int, set[str]]:
    """Segment -> the categories that at least `quorum` distinct annotators gave it (read from raw
    annotations/, where every annotator's practices are present)."""
    votes: dict[tuple[int, str], set[str]] = {}
    for a in policy.annotations:
        votes.setdefault((a.segment, a.category), set()).add(a.annotator)
    labels: dict[int, set[str]] = {s.index: set() for s in policy.segments}
    for (segment, category), annotators in votes.items():
        if len(annotators) >= quorum and segment in labels:
            labels[segment].add(category)
    return labels
