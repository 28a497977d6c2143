"""A policy text with its clauses marked: a tree of plain runs and marks, for a template to render as
nested <mark> elements (the text itself is escaped by the template).

Clauses that nest (one inside another) become nested marks. Clauses that cross (each overlaps the other
without containing it) cannot both be single elements; the later one is split into pieces at the
crossing, and only its first piece carries the clause's anchor. Offsets are Unicode code points, as in
the graph, so they index a Python str directly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Node:
    text: str = ""  # a plain run (when clause is None)
    clause: str | None = None  # the clause id of a mark
    first: bool = False  # this mark is the clause's first piece: it carries the anchor
    children: list["Node"] = field(default_factory=list)


def mark(text: str, clauses: list[tuple[str, int, int]], shown: Sequence[str] | None = None) -> list[Node]:
    """Nodes covering `text` in order; `clauses` are (id, start, end), out-of-range or empty ones ignored.
    `shown`, when given, is what to display for each character of `text` (see texts.readable_html)."""
    spans = sorted((max(0, s), min(len(text), e), cid) for cid, s, e in clauses if 0 <= s < e <= len(text))
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    root = Node()
    stack: list[Node] = []  # open marks, outermost first
    seen: set[str] = set()
    for a, b in zip(cuts, cuts[1:]):
        covering = sorted(((s, -e, cid) for s, e, cid in spans if s <= a and b <= e))
        ids = [cid for _, _, cid in covering]
        keep = 0
        while keep < min(len(stack), len(ids)) and stack[keep].clause == ids[keep]:
            keep += 1
        del stack[keep:]
        for cid in ids[keep:]:
            node = Node(clause=cid, first=cid not in seen)
            seen.add(cid)
            (stack[-1] if stack else root).children.append(node)
            stack.append(node)
        run = text[a:b] if shown is None else "".join(shown[a:b])
        (stack[-1] if stack else root).children.append(Node(text=run))
    return root.children
