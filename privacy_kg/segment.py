"""Cutting a captured policy text into clauses: sentences, grouped in blocks (paragraphs), with the
menu and markdown debris of real captures left out.

Offsets are Unicode code points into the original text, so a clause's quote is text[start:end]
verbatim and always found again by the corpus checker."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A line that is only table rules, pipes, dashes, bullets or markdown emphasis.
_RULE = re.compile(r"^[\s|\-_=*#>+:.]*$")
_ARCHIVE_NOTE = re.compile(r"^\s*>\s*\*?the following text is extracted", re.IGNORECASE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url) and ![alt](url)
_URL = re.compile(r"<?\bhttps?://\S+>?|\bwww\.\S+\.\w+\S*")
_MARKUP = re.compile(r"[*_`#>|]+")
_BULLET = re.compile(r"[\s|]*(?:\\?[-*+•·◦▪●○■►]|\d{1,2}[.)]|\(?[a-z]\))[\s|]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
# A sentence ends at . ! ? (and closing quotes/brackets) followed by space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# Abbreviations whose period does not end a sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|inc|co|corp|ltd|llc|no|nos|st|ste|mr|mrs|ms|dr|jr|sr|vs|u\.s|u\.k|p\.o|approx|dept|fig|ave|blvd|rd)"
    r"|\b[A-Z])\.$",
    re.IGNORECASE,
)

MIN_WORDS = 4  # fewer words than this is a heading, a menu item or an address line, not a clause


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str  # text[start:end], verbatim


@dataclass(frozen=True)
class Block:
    """A paragraph (or a list item), with the heading that precedes it, if any."""

    span: Span
    heading: str | None
    sentences: tuple[Span, ...]


def clean(text: str) -> str:
    """The words of a passage without markdown syntax, links' targets, URLs and table pipes: what a
    classifier should read."""
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def sentence_key(text: str) -> str:
    """What a sentence says, whatever its capture: NFKC, without Markdown, links' targets and runs of
    whitespace (clean). Two sentences with the same key are drafted alike, so each key is classified once."""
    return clean(unicodedata.normalize("NFKC", text))


def is_debris(line: str) -> bool:
    """Menu bars, table rules, archive notes, bare links and similar lines that carry no clause."""
    if _RULE.match(line) or _ARCHIVE_NOTE.match(line):
        return True
    words = clean(line)
    if not _WORD.search(words):
        return True
    cells = [c for c in line.split("|") if c.strip()]
    if len(cells) >= 3 and max(len(clean(c).split()) for c in cells) <= 4:
        return True  # a menu: "Home | Phone Cards | My Account | Help"
    return False


def _unbullet(line: str) -> str:
    bullet = _BULLET.match(line)
    return line[bullet.end():] if bullet else line


def _is_title(line: str) -> bool:
    """A line that stands alone: a markdown '#' heading, a short line without a closing period (menu
    item, title, "Mail:"), or a short question used as a heading."""
    if line.lstrip().startswith("#"):
        return True
    body = clean(_unbullet(line))
    words = len(body.split())
    if body.endswith("?"):
        return words <= 15
    return words <= 8 and not re.search(r"[.!]$", body)


def _lines(text: str) -> list[Span]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append(Span(pos, pos + len(body), body))
        pos += len(line)
    return spans


def _trim(text: str, start: int, end: int) -> Span | None:
    """The span without surrounding whitespace, table pipes and list bullets."""
    while start < end and (text[start].isspace() or text[start] in "|>"):
        start += 1
    bullet = _BULLET.match(text, start, end)
    if bullet:
        start = bullet.end()
    while end > start and (text[end - 1].isspace() or text[end - 1] in "|"):
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The sentences of text[start:end], as spans of text."""
    end = len(text) if end is None else end
    found, begin = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        candidate = text[begin:match.start()]
        if _ABBREVIATION.search(candidate.rstrip("\"'”’)]")):
            continue
        span = _trim(text, begin, match.start())
        if span:
            found.append(span)
        begin = match.end()
    span = _trim(text, begin, end)
    if span:
        found.append(span)
    return found


def is_clause(span: Span) -> bool:
    return len(_WORD.findall(clean(span.text))) >= MIN_WORDS


_SKIP, _TITLE, _BULLETED, _TEXT = range(4)


def _line_kind(line: str) -> int:
    if not line.strip() or is_debris(line):
        return _SKIP
    if _is_title(line):
        return _TITLE
    return _BULLETED if _BULLET.match(line) else _TEXT


def blocks(text: str, memo: dict | None = None) -> list[Block]:
    """Paragraphs (runs of text lines; a bullet starts a new one), each with the sentences that are
    clauses and the last title seen before it. Title lines and debris lines end a paragraph.

    `memo` (a dict kept across calls) remembers what each line is and where each paragraph's clauses are,
    both functions of their own text only: the versions of one policy repeat most of them."""
    found: list[Block] = []
    heading: str | None = None
    run: list[Span] = []
    memo = {} if memo is None else memo

    def close() -> None:
        if run:
            span = Span(run[0].start, run[-1].end, text[run[0].start:run[-1].end])
            where = memo.get(("paragraph", span.text))
            if where is None:
                where = memo[("paragraph", span.text)] = tuple(
                    (s.start - span.start, s.end - span.start) for s in sentences(text, span.start, span.end) if is_clause(s))
            if where:
                found.append(Block(span, heading, tuple(Span(span.start + a, span.start + b, span.text[a:b]) for a, b in where)))
            run.clear()

    for line in _lines(text):
        kind = memo.get(("line", line.text))
        if kind is None:
            kind = memo[("line", line.text)] = _line_kind(line.text)
        if kind == _SKIP:
            close()
        elif kind == _TITLE:
            close()
            heading = clean(_unbullet(line.text)) or heading
        else:
            if kind == _BULLETED:
                close()
            run.append(line)
    close()
    return found
