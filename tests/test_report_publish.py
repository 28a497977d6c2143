from __future__ import annotations

import pytest

from privacy_kg.report.publish import MARKER, PublishError, publish


def test_writes_a_new_folder_and_replaces_an_earlier_report_whole(tmp_path):
    out = tmp_path / "site"
    publish({"index.html": b"one", "a/b.html": b"b"}, out)
    assert (out / "index.html").read_bytes() == b"one" and (out / MARKER).exists()
    publish({"index.html": b"two"}, out)
    assert (out / "index.html").read_bytes() == b"two" and not (out / "a").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or old folder left


def test_refuses_a_folder_that_holds_something_else(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(PublishError, match="not empty"):
        publish({"index.html": b"x"}, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_failure_leaves_the_previous_report(tmp_path):
    out = tmp_path / "site"
    publish({"index.html": b"old"}, out)
    with pytest.raises(TypeError):
        publish({"index.html": "not bytes"}, out)  # type: ignore[dict-item]
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
