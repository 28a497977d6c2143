"""Reading an OPP-115-format folder (Wilson et al., ACL 2016): sanitized policy HTML split into segments by
'|||', annotation CSVs (one row per practice, Excel dialect, no header), and the documentation CSVs.

Offsets: the corpus's start/endIndexInSegment count characters of the *raw* sanitized segment (HTML tags
included); selectedText is that span with the tags removed. Segment offsets here are made absolute in
the policy file (read verbatim, no newline translation), so a span is file_text[start:end].

Two kinds of trouble are told apart:
- errata, the corpus's known annotation-tool bugs (missing spans, -1 indexes, spans that do not match the
  text): the practice and its value are kept, the span is flagged (and placed by finding the selected
  text in the segment when it occurs there exactly once); the importer counts them in its report;
- problems (unreadable files, malformed rows, segments that do not exist): collected with file and line
  on `Policy.problems`, so the importer can list them all and write nothing."""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from privacy_kg.problems import InputError, Problem

SEPARATOR = "|||"
NOT_SELECTED = "not-selected"
UNSPANNED = {NOT_SELECTED, "Unspecified", "Does"}  # values the tool stores without a span (defaults)
NO_TEXT = {"null", "Not selected"}  # what the tool writes as selectedText when nothing was selected
TAG = re.compile(r"<[^>]+>")

# errata (the manual's "Errata" section); a placed span that needed finding says so after the colon
MISSING_SPAN = "missing span"
BAD_INDEX = "index -1 or empty"
MISMATCH = "span does not match the text"
RECOVERED = ": placed by finding the selected text"

DOCS = "documentation"
POLICIES_CSV, WEBSITES_CSV = "policies_opp115.csv", "websites_opp115.csv"
CONSOLIDATED_DIR, RAW_DIR, POLICIES_DIR = "consolidation", "annotations", "sanitized_policies"


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
    text: str | None  # the annotator's selectedText (tags removed), None when nothing was selected
    start: int | None  # absolute offsets in the policy file, None when the span could not be placed
    end: int | None
    erratum: str | None = None  # what was wrong with the span, if anything

    @property
    def placed(self) -> bool:
        return self.start is not None


@dataclass
class Annotation:
    id: str
    annotator: str
    segment: int
    category: str
    spans: dict[str, Span]
    file: str = ""  # the CSV it comes from, and its line there, for messages
    line: int = 0

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
    sectors: list[str] = field(default_factory=list)  # DMOZ categories of the site
    html_file: str = ""
    csv_file: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def domain(self) -> str:
        return self.name.split("_", 1)[1] if "_" in self.name else self.name

    @property
    def errata(self) -> Counter:
        return Counter(s.erratum for a in self.annotations for s in a.spans.values() if s.erratum)


def split_segments(text: str) -> list[Segment]:
    segments, pos = [], 0
    for index, chunk in enumerate(text.split(SEPARATOR)):
        segments.append(Segment(index, pos, pos + len(chunk), chunk))
        pos += len(chunk) + len(SEPARATOR)
    return segments


def _squash(s: str) -> str:
    """Text without tags, entities or any whitespace: what must agree between a span and selectedText."""
    return re.sub(r"\s+", "", html.unescape(TAG.sub("", s)))


def _find_once(segment: Segment, text: str) -> tuple[int, int] | None:
    """Absolute offsets of `text` in the raw segment when it occurs there exactly once."""
    pos = segment.html.find(text)
    if pos < 0 or segment.html.find(text, pos + 1) >= 0:
        return None
    return segment.start + pos, segment.start + pos + len(text)


def _span(attribute: str, raw: dict, segment: Segment) -> Span:
    value = str(raw.get("value", NOT_SELECTED))
    if value == NOT_SELECTED:
        return Span(attribute, value, None, None, None)
    text = raw.get("selectedText")
    if not isinstance(text, str) or text in NO_TEXT or not _squash(text):
        return Span(attribute, value, None, None, None, None if value in UNSPANNED else MISSING_SPAN)
    start, end = raw.get("startIndexInSegment"), raw.get("endIndexInSegment")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(segment.html):
        raw_span = segment.html[start:end]
        if raw_span == text or _squash(raw_span) == _squash(text):
            return Span(attribute, value, text, segment.start + start, segment.start + end)
        erratum = MISMATCH
    else:
        erratum = BAD_INDEX
    found = _find_once(segment, text)
    if found:
        return Span(attribute, value, text, found[0], found[1], erratum + RECOVERED)
    return Span(attribute, value, text, None, None, erratum)


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on (a quoted field may span lines)."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        line = 1
        for row in reader:
            yield line, row
            line = reader.line_num + 1


def read_annotations(csv_path: Path, segments: list[Segment], problems: list[Problem]) -> list[Annotation]:
    """The practices of one annotation CSV; malformed rows and unknown segments become problems."""
    annotations = []
    where = str(csv_path)
    try:
        for line, row in _rows(csv_path):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 7:
                problems.append(Problem(where, line, None, f"expected at least 7 columns, found {len(row)}"))
                continue
            aid = row[0]
            try:
                segment_index = int(row[4])
                attributes = json.loads(row[6])
            except ValueError as e:  # JSONDecodeError is a ValueError
                problems.append(Problem(where, line, None, f"annotation {aid}: malformed segment id or attribute JSON ({e})"))
                continue
            except RecursionError:  # JSON nested deeper than the parser's stack
                problems.append(Problem(where, line, None, f"annotation {aid}: the attribute JSON is nested too deeply to read"))
                continue
            if not isinstance(attributes, dict) or not all(isinstance(v, dict) for v in attributes.values()):
                problems.append(Problem(where, line, None, f"annotation {aid}: attribute JSON must map attribute names to objects"))
                continue
            if not 0 <= segment_index < len(segments):
                problems.append(Problem(where, line, None, f"annotation {aid}: segment {segment_index} does not exist (the policy has {len(segments)})"))
                continue
            if not row[5].strip():
                problems.append(Problem(where, line, None, f"annotation {aid}: the category is empty"))
                continue
            segment = segments[segment_index]
            spans = {name: _span(name, raw, segment) for name, raw in sorted(attributes.items())}
            annotations.append(Annotation(aid, row[2], segment_index, row[5], spans, where, line))
    except UnicodeDecodeError as e:
        problems.append(Problem(where, None, None, f"not UTF-8 (byte {e.start})"))
    except csv.Error as e:
        problems.append(Problem(where, None, None, f"malformed CSV: {e}"))
    return annotations


def _documentation(root: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """policies_opp115.csv and websites_opp115.csv rows, both keyed by policy UID ({} when absent)."""
    tables = []
    for name, key in ((POLICIES_CSV, 0), (WEBSITES_CSV, 3)):
        path = root / DOCS / name
        try:
            rows = list(_rows(path))[1:] if path.exists() else []
        except (UnicodeDecodeError, csv.Error) as e:
            raise InputError([Problem(str(path), None, None, f"unreadable documentation CSV: {e}")]) from e
        tables.append({r[key]: r for _, r in rows if len(r) > key})
    return tables[0], tables[1]


def _cell(row: list[str], index: int) -> str | None:
    return (row[index].strip() or None) if len(row) > index else None


def read_policy(html_path: Path, annotations_dir: Path, policies: dict, sites: dict) -> Policy:
    problems: list[Problem] = []
    try:
        text = html_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(Problem(str(html_path), None, None, f"not UTF-8 (byte {e.start})"))
        text = ""
    segments = split_segments(text)
    csv_path = annotations_dir / f"{html_path.stem}.csv"
    if not csv_path.exists():
        problems.append(Problem(str(csv_path), None, None, f"missing: every policy in {POLICIES_DIR}/ needs its annotation CSV"))
        annotations = []
    else:
        annotations = read_annotations(csv_path, segments, problems) if text else []
    uid = html_path.stem.split("_", 1)[0]
    p, s = policies.get(uid, []), sites.get(uid, [])
    return Policy(
        uid, html_path.stem, text, segments, annotations,
        url=_cell(p, 1), collected_on=_cell(p, 2), last_updated=_cell(p, 3),
        site=_cell(s, 1), site_name=_cell(s, 2), sectors=[c.strip() for c in s[7:] if c.strip()],
        html_file=str(html_path), csv_file=str(csv_path), problems=problems,
    )


def policy_files(root: Path) -> list[Path]:
    return sorted((Path(root) / POLICIES_DIR).glob("*.html"))


def missing_policies(root: Path, consolidated: bool = True) -> list[Problem]:
    """An annotation CSV whose policy HTML is missing: an input error, never a policy silently dropped."""
    root = Path(root)
    have = {p.stem for p in policy_files(root)}
    annotations_dir = root / (CONSOLIDATED_DIR if consolidated else RAW_DIR)
    return [Problem(str(csv_path), None, None, f"its policy {POLICIES_DIR}/{csv_path.stem}.html is missing: restore it, or remove the CSV")
            for csv_path in sorted(annotations_dir.glob("*.csv")) if csv_path.stem not in have]


def read_folder(root: Path, consolidated: bool = True) -> Iterator[Policy]:
    """Every policy of an OPP-115-format folder, in file-name order. `consolidated` reads consolidation/
    (the corpus's merged practices); otherwise annotations/ (every annotator's practices)."""
    root = Path(root)
    annotations_dir = root / (CONSOLIDATED_DIR if consolidated else RAW_DIR)
    policies, sites = _documentation(root)
    for html_path in policy_files(root):
        yield read_policy(html_path, annotations_dir, policies, sites)


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
