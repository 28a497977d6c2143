from __future__ import annotations

from typer.testing import CliRunner

from privacy_kg.cli import app
from conftest import COMPANIES, REPO

runner = CliRunner()


def test_report_writes_the_site_and_says_where(tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", "--out", str(out), "--root", str(REPO)])
    assert result.exit_code == 0, result.output
    assert f"pages ({len(COMPANIES)} companies" in result.output and (out / "index.html").exists()


def test_report_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["report", "--out", str(tmp_path), "--root", str(REPO)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_report_without_a_built_graph_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "r"), "--root", str(tmp_path)])
    assert result.exit_code == 2 and "privacy-kg build" in result.output
