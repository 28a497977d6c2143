from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from privacy_kg.report.marks import Node, mark


def flat(nodes: list[Node]) -> str:
    return "".join(n.text if n.clause is None else flat(n.children) for n in nodes)


def pieces(nodes: list[Node], clause: str) -> list[Node]:
    found = []
    for n in nodes:
        if n.clause == clause:
            found.append(n)
        found.extend(pieces(n.children, clause))
    return found


def test_a_clause_becomes_one_mark_with_its_text():
    nodes = mark("We sell nothing. Ever.", [("no-sale", 0, 16)])
    assert [n.clause for n in nodes] == ["no-sale", None]
    assert flat(nodes[0].children) == "We sell nothing." and nodes[0].first


def test_nested_clauses_become_nested_marks():
    nodes = mark("abcdefghij", [("outer", 1, 9), ("inner", 3, 5)])
    outer = pieces(nodes, "outer")
    assert len(outer) == 1 and flat(outer[0].children) == "bcdefghi"
    assert [flat(p.children) for p in pieces(outer[0].children, "inner")] == ["de"]


def test_crossing_clauses_split_the_later_one_and_anchor_only_its_first_piece():
    nodes = mark("abcdefghij", [("a", 0, 6), ("b", 4, 9)])
    b = pieces(nodes, "b")
    assert [flat(p.children) for p in b] == ["ef", "ghi"] and [p.first for p in b] == [True, False]
    assert [flat(p.children) for p in pieces(nodes, "a")] == ["abcdef"]


def test_offsets_outside_the_text_and_empty_clauses_are_ignored():
    nodes = mark("short", [("far", 3, 50), ("empty", 2, 2), ("neg", -1, 2)])
    assert [n.text for n in nodes] == ["short"]


@given(st.text(max_size=40), st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45)), max_size=6))
def test_the_text_is_kept_whole_and_each_clause_reads_as_its_span(text, spans):
    clauses = [(f"c{i}", s, e) for i, (s, e) in enumerate(spans)]
    nodes = mark(text, clauses)
    assert flat(nodes) == text
    for cid, s, e in clauses:
        found = pieces(nodes, cid)
        if 0 <= s < e <= len(text):
            assert "".join(flat(p.children) for p in found) == text[s:e]
            assert [p.first for p in found].count(True) == 1
        else:
            assert not found
