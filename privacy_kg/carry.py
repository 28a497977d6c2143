"""Carrying the tagged clauses of one version of a policy to another version's text.

Each clause is re-anchored on the new text:
- its quote occurs once (runs of whitespace may differ, as for the corpus checker) -> `carried`, with
  the new offsets; a moved paragraph is simply found elsewhere;
- it occurs several times -> the occurrence whose surrounding words (CONTEXT characters each side)
  look most like the old ones, when it beats the next best by CONTEXT_MARGIN points; else `ambiguous`;
- it does not occur, but a passage is at least `threshold` similar (rapidfuzz's bounded partial-ratio
  alignment finds it, a word-level difflib pass snaps it to whole words) -> `changed`, with the
  similarity and a word diff, the new quote being the matched passage;
- otherwise -> `absent`.

The sentences of the new text that no carried clause covers and that the old text does not contain
are the version's new, untagged text (`uncovered`). Pure functions over texts and clause records
(privacy_kg.corpus.Clause); writing the carried folder is privacy_kg.carry_output."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from privacy_kg import quotes
from privacy_kg.corpus import Clause
from privacy_kg.segment import Span, blocks

NEAR_THRESHOLD = 0.8  # similarity (0-1) from which an edited passage counts as the same clause, changed
CONTEXT = 120  # characters of context on each side that tell repeated quotes apart
CONTEXT_MARGIN = 10  # points (0-100) by which the best occurrence's context must beat the next one
CARRIED, CHANGED, ABSENT, AMBIGUOUS = "carried", "changed", "absent", "ambiguous"
_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    occurrence: int  # 1-based, as the corpus `occurrence:` field counts it
    context: float  # 0-100: how much its surrounding words look like the old ones


@dataclass
class Anchor:
    """Where one clause of the old version lands in the new text."""

    clause: str  # the clause id
    status: str  # CARRIED, CHANGED, ABSENT or AMBIGUOUS
    old: Span
    new: Span | None = None  # None when absent or ambiguous
    occurrence: int = 1  # of the new quote in the new text
    similarity: float = 1.0  # of the new quote to the old (the best passage's, when absent)
    diff: str = ""  # word diff old -> new: [-removed-] {+added+}
    candidates: list[Candidate] = field(default_factory=list)  # when the quote occurs several times


@dataclass
class Carry:
    anchors: list[Anchor]
    uncovered: list[Span]  # new sentences (not in the old text) that no carried clause covers
    untagged_unchanged: int  # sentences no clause covers that the old text already had untagged

    def by_status(self, status: str) -> list[Anchor]:
        return [a for a in self.anchors if a.status == status]


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def occurrence_at(text: str, quote: str, start: int) -> int:
    """Which occurrence of `quote` (as quotes.locate counts them) starts at `start`."""
    n = 1
    while (found := quotes.locate(text, quote, n)) is not None and found[0] < start:
        n += 1
    return n


def word_changes(old: str, new: str) -> list[tuple[bool, list[str], list[str]]]:
    """The words of two texts aligned (difflib over whitespace-split words): runs of (same, the old
    words, the new words); a run that is not the same has old words, new words or both."""
    a, b = old.split(), new.split()
    return [(op == "equal", a[i1:i2], b[j1:j2])
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()]


def word_diff(old: str, new: str) -> str:
    """The words of `new`, with what `old` had instead: `we [-sell-] {+share+} your data`."""
    out: list[str] = []
    for same, removed, added in word_changes(old, new):
        if same:
            out += added
            continue
        if removed:
            out.append("[-" + " ".join(removed) + "-]")
        if added:
            out.append("{+" + " ".join(added) + "+}")
    return " ".join(out)


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    before = _collapse(text[max(0, start - 3 * CONTEXT):start])[-CONTEXT:]
    after = _collapse(text[end:end + 3 * CONTEXT])[:CONTEXT]
    return before, after


def _exact(old_text: str, new_text: str, old: Span, cid: str) -> Anchor | None:
    found = quotes.count(new_text, old.text)
    if not found:
        return None
    spans = [quotes.locate(new_text, old.text, n) for n in range(1, found + 1)]
    if found == 1:
        start, end = spans[0]
        return Anchor(cid, CARRIED, old, Span(start, end, new_text[start:end]))
    before, after = _context(old_text, old.start, old.end)
    candidates = []
    for n, (start, end) in enumerate(spans, start=1):
        b, a = _context(new_text, start, end)
        candidates.append(Candidate(start, end, n, round((fuzz.ratio(before, b) + fuzz.ratio(after, a)) / 2, 1)))
    best, second = sorted(candidates, key=lambda c: -c.context)[:2]
    if best.context - second.context < CONTEXT_MARGIN:
        return Anchor(cid, AMBIGUOUS, old, candidates=candidates)
    return Anchor(cid, CARRIED, old, Span(best.start, best.end, new_text[best.start:best.end]),
                  best.occurrence, candidates=candidates)


def _snap(text: str, needle: list[str], lo: int, hi: int) -> tuple[int, int] | None:
    """The passage of text[lo:hi] aligned with the quote's words: from the first to the last matching
    word, stretched over words replaced at either end (never past a sentence end or a blank line)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, lo, hi)]
    blocks_ = [b for b in difflib.SequenceMatcher(None, needle, [text[s:e] for s, e in words], autojunk=False)
               .get_matching_blocks() if b.size]
    blocks_ = [b for b in blocks_ if b.size > 1] or blocks_  # a lone common word ("we") is no anchor
    if not blocks_:
        return None
    first, last = blocks_[0], blocks_[-1]
    i = first.b
    for _ in range(first.a):  # quote words before the first match: take the passage's words there
        if i == 0 or _SENTENCE_END.search(text[words[i - 1][0]:words[i - 1][1]]) or "\n\n" in text[words[i - 1][1]:words[i][0]]:
            break
        i -= 1
    j = last.b + last.size - 1
    for _ in range(len(needle) - last.a - last.size):
        if j + 1 >= len(words) or _SENTENCE_END.search(text[words[j][0]:words[j][1]]) or "\n\n" in text[words[j][1]:words[j + 1][0]]:
            break
        j += 1
    return words[i][0], words[j][1]


def _near(new_text: str, old: Span, cid: str, threshold: float) -> Anchor:
    needle = _collapse(old.text)
    alignment = fuzz.partial_ratio_alignment(needle, new_text, score_cutoff=max(0.0, threshold * 100 - 10))
    best = 0.0
    if alignment is not None:
        pad = len(needle) // 4 + 1
        lo, hi = max(0, alignment.dest_start - pad), min(len(new_text), alignment.dest_end + pad)
        if len(new_text) <= len(needle):
            lo, hi = 0, len(new_text)
        snapped = _snap(new_text, needle.split(), lo, hi)
        if snapped is not None:
            start, end = snapped
            passage = new_text[start:end]
            best = round(fuzz.ratio(needle, _collapse(passage)) / 100, 3)
            if best >= threshold:
                return Anchor(cid, CHANGED, old, Span(start, end, passage), occurrence_at(new_text, passage, start),
                              best, word_diff(old.text, passage))
    return Anchor(cid, ABSENT, old, similarity=best)


def anchor(old_text: str, new_text: str, clause: Clause, threshold: float = NEAR_THRESHOLD) -> Anchor:
    old = Span(clause.start, clause.end, clause.quote)
    return _exact(old_text, new_text, old, clause.id) or _near(new_text, old, clause.id, threshold)


def uncovered(old_text: str, new_text: str, anchors: list[Anchor]) -> tuple[list[Span], int]:
    """The new text's sentences (as the tagging assistant cuts them) that no carried clause overlaps,
    split into those the old text lacks (listed) and those it had (counted: left untagged before)."""
    placed = sorted((a.new.start, a.new.end) for a in anchors if a.new is not None)
    new, unchanged = [], 0
    for block in blocks(new_text):
        for sentence in block.sentences:
            if any(s < sentence.end and sentence.start < e for s, e in placed):
                continue
            if quotes.count(old_text, sentence.text):
                unchanged += 1
            else:
                new.append(sentence)
    return new, unchanged


def carry(old_text: str, new_text: str, clauses: list[Clause], threshold: float = NEAR_THRESHOLD) -> Carry:
    anchors = [anchor(old_text, new_text, c, threshold) for c in clauses]
    spans, unchanged = uncovered(old_text, new_text, anchors)
    return Carry(anchors, spans, unchanged)
