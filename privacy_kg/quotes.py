"""Finding a tagged quote in the policy text. Runs of whitespace may differ between quote and text
(YAML folds lines, captures carry odd line breaks); everything else must match exactly. Offsets are
Unicode code points into the original text, so the stored quote is text[start:end] verbatim."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from rapidfuzz import fuzz

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=4)  # every clause of a policy searches the same text
def _normalise(text: str) -> tuple[str, list[int]]:
    """Whitespace runs collapsed to one space, with each kept character's offset in the original."""
    out: list[str] = []
    offsets: list[int] = []
    for match in re.finditer(r"\s+|\S+", text):
        if match.group().isspace():
            out.append(" ")
            offsets.append(match.start())
        else:
            out.append(match.group())
            offsets.extend(range(match.start(), match.end()))
    return "".join(out), offsets


def occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    """(start, end) of every match of quote in text (overlapping ones too), in order."""
    needle = _SPACE.sub(" ", quote.strip())
    if not needle:
        return []
    hay, offsets = _normalise(text)
    found, pos = [], hay.find(needle)
    while pos >= 0:
        found.append((offsets[pos], offsets[pos + len(needle) - 1] + 1))
        pos = hay.find(needle, pos + 1)
    return found


def locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    """(start, end) of the occurrence-th match of quote in text, or None."""
    found = occurrences(text, quote)
    return found[occurrence - 1] if 0 < occurrence <= len(found) else None


def count(text: str, quote: str) -> int:
    return len(occurrences(text, quote))


def context(text: str, start: int, end: int, width: int = 30) -> str:
    """A match with a little of the text around it, on one line: 'privacy. [We collect] your name'."""
    before, match, after = text[max(0, start - width):start], text[start:end], text[end:end + width]
    if len(match) > 2 * width:
        match = f"{match[:width]}...{match[-width // 2:]}"
    return _SPACE.sub(" ", f"...{before}[{match}]{after}...")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab, LF, CR


def control_character(text: str) -> int | None:
    """The offset of the first control character (NUL, ESC, ...) in text, or None: policy texts and
    quotes hold none (they would reach terminals and RDF)."""
    match = _CONTROL.search(text)
    return match.start() if match else None


WINDOW_SLACK = 0.25  # the closest passage may be this much longer or shorter than the quote


def closest_passage(text: str, quote: str) -> str:
    """The passage of the text that looks most like the quote, to show beside a 'not found' error.
    rapidfuzz's partial-ratio alignment finds the window most like the quote (bit-parallel: a 10 KB
    quote in a 300 KB text takes well under a second, where difflib took 21 s); the window is then
    trimmed to its first and last matching runs."""
    needle = _SPACE.sub(" ", quote.strip())
    hay, _ = _normalise(text)
    if not needle or not hay:
        return ""
    found = fuzz.partial_ratio_alignment(needle, hay)
    lo, hi = found.dest_start, found.dest_end
    window = hay[lo:hi]
    if len(window) * len(needle) > 4_000_000:  # difflib on a long pair is slow: the aligned window is the answer
        return window.strip()
    blocks = [b for b in difflib.SequenceMatcher(None, window, needle, autojunk=False).get_matching_blocks() if b.size >= 3]
    if not blocks:
        return window.strip()
    return window[blocks[0].a : blocks[-1].a + blocks[-1].size].strip()
