from __future__ import annotations

import hashlib

from privacy_kg.report.texts import PolicyTexts


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_corpus_text_is_read_when_it_is_the_one_built(tmp_path):
    (tmp_path / "corpus" / "acme").mkdir(parents=True)
    (tmp_path / "corpus" / "acme" / "policy.txt").write_bytes("We never sell — ever.\r\n".encode())
    texts = PolicyTexts(tmp_path)
    assert texts.get("corpus/acme/policy.txt", sha("We never sell — ever.\r\n")).text == "We never sell — ever.\r\n"
    changed = texts.get("corpus/acme/policy.txt", sha("something else"))
    assert changed.text is None and "changed since the graph was built" in changed.problem


def test_paths_outside_the_corpus_and_missing_texts_are_refused(tmp_path):
    (tmp_path / "secret.txt").write_text("x")
    texts = PolicyTexts(tmp_path / "project")
    assert "outside" in texts.get("corpus/../../secret.txt", "").problem
    assert "does not exist" in texts.get("corpus/nobody/policy.txt", "").problem
    assert "no policy text" in texts.get("/etc/passwd", "").problem


def test_opp115_texts_need_the_corpus_folder(tmp_path):
    source = "OPP-115 sanitized_policies/1_example.com.html"
    assert "--opp115" in PolicyTexts(tmp_path).get(source, "").problem
    (tmp_path / "opp115" / "sanitized_policies").mkdir(parents=True)
    (tmp_path / "opp115" / "sanitized_policies" / "1_example.com.html").write_text("<p>Hi</p>", encoding="utf-8")
    assert PolicyTexts(tmp_path, tmp_path / "opp115").get(source, sha("<p>Hi</p>")).text == "<p>Hi</p>"
    assert PolicyTexts(tmp_path, tmp_path / "opp115").get(source, sha("<p>Hi</p>")).html


def test_html_shows_as_readable_text_while_offsets_still_index_the_html():
    from privacy_kg.report.marks import mark
    from privacy_kg.report.texts import readable_html

    text = "Intro <br> <br>|||We share data with <b>partners</b> &amp; affiliates.|||Contact us."
    start = text.index("We share")
    end = text.index(" affiliates.") + len(" affiliates.")
    shown = readable_html(text)
    assert len(shown) == len(text)
    assert "".join(shown) == "Intro \n \n\n\nWe share data with partners & affiliates.\n\nContact us."
    nodes = mark(text, [("sharing", start, end)], shown)
    (clause,) = [n for n in nodes if n.clause == "sharing"]
    assert "".join(n.text for n in clause.children) == "We share data with partners & affiliates."
