"""Reading the OPP-115 format: absolute offsets, errata flagged (and placed when the text allows), the
documentation metadata, and problems with file and line instead of crashes (fixture: a made-up policy)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from opp115_support import FIXTURE
from privacy_kg.opp115.reader import (
    BAD_INDEX, MISMATCH, MISSING_SPAN, RECOVERED, SEPARATOR, _squash, majority_categories, read_folder, split_segments,
)


def policy(root: Path = FIXTURE, consolidated: bool = True):
    (found,) = list(read_folder(root, consolidated))
    return found


def spans_of(p, annotation_id):
    return next(a for a in p.annotations if a.id == annotation_id).spans


def test_segments_are_absolute_and_the_text_is_verbatim():
    p = policy()
    raw = (FIXTURE / "sanitized_policies" / "1_example.com.html").read_bytes().decode("utf-8")
    assert p.text == raw and len(p.segments) == 5
    for segment in p.segments:
        assert p.text[segment.start:segment.end] == segment.html
    assert SEPARATOR.join(s.html for s in p.segments) == p.text
    assert p.segments[0].text == "Example Widgets Privacy Policy Last updated: May 1, 2015."


def test_split_keeps_empty_segments_and_offsets():
    segments = split_segments("a||||||b")
    assert [(s.start, s.end, s.html) for s in segments] == [(0, 1, "a"), (4, 4, ""), (7, 8, "b")]


def test_every_placed_span_is_the_selected_text_at_its_offsets():
    p = policy()
    placed = [s for a in p.annotations for s in a.spans.values() if s.placed]
    assert len(placed) == 19
    for span in placed:
        assert _squash(p.text[span.start:span.end]) == _squash(span.text)


def test_a_span_over_markup_matches_its_selected_text_without_tags():
    span = spans_of(policy(), "C2")["Personal Information Type"]
    assert span.erratum is None and policy().text[span.start:span.end] == "<b>email address</b>"


def test_errata_are_counted_and_placed_when_the_selected_text_occurs_once():
    p = policy()
    assert p.errata == {
        MISSING_SPAN: 2, BAD_INDEX: 1, BAD_INDEX + RECOVERED: 1, MISMATCH: 1, MISMATCH + RECOVERED: 1,
    }
    recovered = spans_of(p, "C4")["Personal Information Type"]  # index -1, text found once
    assert recovered.erratum == BAD_INDEX + RECOVERED and p.text[recovered.start:recovered.end] == "personal information"
    moved = spans_of(p, "6")["Purpose"]  # offsets point elsewhere, text found once
    assert moved.erratum == MISMATCH + RECOVERED and p.text[moved.start:moved.end] == "opt out of newsletters"
    assert spans_of(p, "6")["Choice Scope"].erratum == MISSING_SPAN  # no selectedText
    assert spans_of(p, "6")["Personal Information Type"].erratum == MISSING_SPAN  # selectedText null
    twice = spans_of(p, "9")["Personal Information Type"]  # index -1, text occurs twice: not placed
    assert twice.erratum == BAD_INDEX and not twice.placed and twice.text == "your"
    wrong = spans_of(p, "7")["Do Not Track policy"]
    assert wrong.erratum == MISMATCH and not wrong.placed and wrong.value == "Honored"


def test_defaults_and_unspecified_values_need_no_span():
    spans = spans_of(policy(), "3")
    assert spans["Does/Does Not"].value == "Does" and spans["Does/Does Not"].erratum is None
    assert spans["Action First-Party"].value == "Unspecified" and spans["Action First-Party"].erratum is None


def test_documentation_gives_the_company_metadata():
    p = policy()
    assert (p.uid, p.domain, p.site_name, p.site) == ("1", "example.com", "Example Widgets", "example.com")
    assert (p.url, p.collected_on, p.last_updated) == ("example.com/privacy", "2015-07-02", "2015-05-01")
    assert p.sectors[0] == "Shopping: Home and Garden: Widgets"


def test_annotations_know_their_file_and_line():
    p = policy()
    assert [a.line for a in p.annotations] == list(range(1, 10))
    assert all(a.file.endswith("consolidation/1_example.com.csv") for a in p.annotations)


def test_raw_annotations_and_majority_categories():
    p = policy(consolidated=False)
    assert len(p.annotations) == 9 and {a.annotator for a in p.annotations} == {"a", "b", "c"}
    labels = majority_categories(p)
    assert labels[1] == {"First Party Collection/Use"} and labels[2] == {"Other"} and labels[0] == set()


def corrupt(tmp_path: Path, lines: list[str]) -> Path:
    root = tmp_path / "opp115"
    shutil.copytree(FIXTURE, root)
    path = root / "consolidation" / "1_example.com.csv"
    path.write_text(path.read_text(encoding="utf-8") + "".join(line + "\r\n" for line in lines), encoding="utf-8")
    return root


def test_malformed_rows_and_unknown_segments_are_problems_with_file_and_line(tmp_path):
    root = corrupt(tmp_path, [
        "X1,b,1,1,0,Other",  # too few columns
        'X2,b,1,1,zero,Other,"{}",d,u',  # segment id not a number
        'X3,b,1,1,0,Other,"{not json",d,u',
        'X4,b,1,1,99,Other,"{}",d,u',  # no such segment
        'X5,b,1,1,0,,"{}",d,u',  # empty category
    ])
    p = policy(root)
    assert len(p.annotations) == 9
    assert [(Path(x.file).name, x.line) for x in p.problems] == [("1_example.com.csv", n) for n in range(10, 15)]
    assert "segment 99 does not exist (the policy has 5)" in str(p.problems[3])


def test_a_policy_without_its_csv_or_not_utf8_is_a_problem(tmp_path):
    root = tmp_path / "opp115"
    shutil.copytree(FIXTURE, root)
    (root / "consolidation" / "1_example.com.csv").unlink()
    (root / "sanitized_policies" / "2_broken.org.html").write_bytes(b"caf\xe9 ||| ok")
    first, second = read_folder(root)
    assert "missing: every policy" in str(first.problems[0])
    assert any("not UTF-8 (byte 3)" in str(x) for x in second.problems)


def _row(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().rstrip("\r\n")


attribute = st.fixed_dictionaries({}, optional={
    "selectedText": st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["null", "Not selected", "<br>", "cookies"])),
    "startIndexInSegment": st.one_of(st.integers(-5, 200), st.text(max_size=3), st.none()),
    "endIndexInSegment": st.one_of(st.integers(-5, 200), st.floats(allow_nan=True), st.none()),
    "value": st.one_of(st.sampled_from(["Does", "Unspecified", "not-selected", "Contact", "Other"]), st.text(max_size=10)),
})
attributes = st.one_of(st.dictionaries(st.text(max_size=12), attribute, max_size=4), st.text(max_size=20),
                       st.lists(st.integers(), max_size=2))
cells = st.lists(st.text(max_size=15), max_size=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.one_of(st.integers(-3, 8), st.text(max_size=4)), attrs=attributes, extra=cells)
def test_adversarial_rows_give_annotations_or_problems_never_a_crash(tmp_path_factory, segment, attrs, extra):
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    payload = json.dumps(attrs) if not isinstance(attrs, str) else attrs
    row = _row(["F1", "b", "1", "1", str(segment), "Other", payload, "d", "u"])
    path = root / "consolidation" / "1_example.com.csv"
    path.write_text(path.read_text(encoding="utf-8") + row + "\r\n" + _row(extra) + "\r\n", encoding="utf-8")
    p = policy(root)
    assert len(p.annotations) + len(p.problems) >= 9
    for annotation in p.annotations:
        for span in annotation.spans.values():
            if span.placed:
                assert 0 <= span.start < span.end <= len(p.text)


def test_deeply_nested_attribute_json_is_a_problem_with_file_and_line(tmp_path):
    """Issue 16 case 20: json.loads raised RecursionError out of the reader."""
    nested = "[" * 50_000 + "]" * 50_000  # under the csv module's field limit
    root = corrupt(tmp_path, [_row(["N1", "b", "1", "1", "0", "Other", '{"a": {"value": ' + nested + "}}", "d", "u"])])
    p = policy(root)
    assert [(Path(x.file).name, x.line) for x in p.problems] == [("1_example.com.csv", 10)]
    assert "nested too deeply" in p.problems[0].message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(html=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8")),
                      st.lists(st.sampled_from(["|||", "<b>", "</b>", "&amp;", "cookies", "\x00", "\r\n"]), max_size=40)
                      .map(lambda parts: "".join(parts).encode("utf-8"))))
def test_generated_policy_html_is_read_or_a_problem_naming_the_file(tmp_path_factory, html):
    """Issue 16: generated HTML is read, or each trouble is a problem naming a file of the policy; no other exception."""
    root = tmp_path_factory.mktemp("html")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    (root / "sanitized_policies" / "1_example.com.html").write_bytes(html)
    p = policy(root)
    assert all(Path(x.file).name in {"1_example.com.html", "1_example.com.csv"} for x in p.problems)
    assert SEPARATOR.join(s.html for s in p.segments) == p.text
