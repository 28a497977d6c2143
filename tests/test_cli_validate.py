"""`privacy-kg validate`: exit codes, the report grouped by company with quotes, and its output files."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from privacy_kg.cli import app

runner = CliRunner()


def test_warnings_only_exit_0_and_write_report_summary_and_coverage(make_project):
    project = make_project("acme", "crystalcall")
    assert runner.invoke(app, ["build", "--root", str(project.root)]).exit_code == 0
    result = runner.invoke(app, ["validate", "--root", str(project.root), "--whole"])
    assert result.exit_code == 0, result.output
    assert "Acme (acme): 0 violation(s)" in result.output and "silent on Do Not Track" in result.output
    assert "whole-export validation agrees" in result.output
    summary = json.loads((project.kg_dir / "validation" / "summary.json").read_text())
    assert summary["passes"] and summary["violations"] == 0 and summary["warnings"] > 0
    with open(project.kg_dir / "coverage.csv", encoding="utf-8") as f:
        rows = {r["company"]: r for r in csv.DictReader(f)}
    assert rows["Acme"]["Do Not Track"] == "0" and int(rows["Acme"]["third-party sharing and collection"]) == 2
    report = (project.kg_dir / "validation" / "report.ttl").read_text()
    assert "http://www.w3.org/ns/shacl#Warning" in report


def test_a_violation_exits_1_and_shows_the_clause_quote(make_project):
    project = make_project("acme")
    runner.invoke(app, ["build", "--root", str(project.root)])
    graph = project.kg_dir / "companies" / "acme.ttl"
    text = graph.read_text()
    graph.write_text(text.replace("pk:hasModality pk:DoesNot ;", "pk:hasModality pk:DoesNot, pk:May ;", 1))
    result = runner.invoke(app, ["validate", "--root", str(project.root), "--no-whole"])
    assert result.exit_code == 1
    assert "violation" in result.output and "exactly one modality" in result.output
    assert "Acme will not sell your personal information" in result.output
    assert "inconsistent" in result.output  # the reasoner also sees the two modalities clash


def test_validate_without_a_build_is_a_usage_error(make_project):
    project = make_project("acme")
    result = runner.invoke(app, ["validate", "--root", str(project.root)])
    assert result.exit_code == 2 and "run `privacy-kg build` first" in result.output


def test_the_report_does_not_conform_when_it_holds_warnings_but_the_exit_code_passes(make_project):
    """SHACL 3.6.1: sh:conforms is false whenever a result exists, whatever its severity; the exit code and
    summary.json `passes` stay severity-aware (warnings only: exit 0)."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import SH

    project = make_project("acme")
    runner.invoke(app, ["build", "--root", str(project.root)])
    result = runner.invoke(app, ["validate", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    report = Graph().parse(project.kg_dir / "validation" / "report.ttl", format="turtle")
    root = URIRef("https://w3id.org/privacy-kg/validation/report")
    assert len(set(report.objects(root, SH.result))) > 0
    assert set(report.objects(root, SH.conforms)) == {Literal(False)}
    summary = json.loads((project.kg_dir / "validation" / "summary.json").read_text())
    assert summary["conforms"] is False and summary["passes"] is True and summary["violations"] == 0
