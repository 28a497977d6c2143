"""Finding a tagged quote in the policy text. Runs of whitespace may differ between quote and text
(YAML folds lines, captures carry odd line breaks); everything else must match exactly. Offsets are
Unicode code points into the original text, so the stored quote is text[start:end] verbatim."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

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


def locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    """(start, end) of the occurrence-th match of quote in text, or None."""
    needle = _SPACE.sub(" ", quote.strip())
    if not needle:
        return None
    hay, offsets = _normalise(text)
    pos = -1
    for _ in range(occurrence):
        pos = hay.find(needle, pos + 1)
        if pos < 0:
            return None
    return offsets[pos], offsets[pos + len(needle) - 1] + 1


def count(text: str, quote: str) -> int:
    needle = _SPACE.sub(" ", quote.strip())
    hay, _ = _normalise(text)
    return hay.count(needle) if needle else 0


def closest_passage(text: str, quote: str) -> str:
    """The passage of the text that looks most like the quote, to show beside a 'not found' error:
    anchored on the longest common run, then stretched to the first and last matching runs nearby."""
    needle = _SPACE.sub(" ", quote.strip())
    hay, _ = _normalise(text)
    anchor = difflib.SequenceMatcher(None, hay, needle, autojunk=False).find_longest_match(0, len(hay), 0, len(needle))
    lo = max(0, anchor.a - anchor.b - len(needle) // 4)
    hi = min(len(hay), anchor.a - anchor.b + len(needle) + len(needle) // 4)
    blocks = [b for b in difflib.SequenceMatcher(None, hay[lo:hi], needle, autojunk=False).get_matching_blocks() if b.size >= 3]
    if not blocks:
        return hay[lo:hi].strip()
    return hay[lo + blocks[0].a : lo + blocks[-1].a + blocks[-1].size].strip()
