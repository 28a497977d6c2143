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


# The compliance matrix of lawco, written by reading tests/fixtures/corpus/lawco/clauses.yaml: in scope of both
# profiles by the laws it cites (GDPR, CCPA); "not applicable": it obtains no data from other sources.
LAWCO_SILENT = {  # lawco states its recipients, consent withdrawal and automated decisions (since the current-law queries' clauses)
    "GDPR Art. 18: the right to restriction of processing",
    "GDPR Art. 13(2)(e): whether providing the data is a requirement, and the consequences of not providing it",
    "CCPA §1798.100(a)(3): the retention period or criteria for each category of personal information",
    "CCPA §1798.130(a)(5)(B)(ii): the categories of sources of personal information",
    "CCPA §§1798.100, 1798.110, 1798.115: the right to know",  # it names the GDPR's rights, not the CCPA's
    "CCPA §1798.105: the right to delete",
    "CCPA §1798.106: the right to correct",
    "CCPA §1798.121: the right to limit the use of sensitive personal information, or that none is collected",
    "CCPA §1798.125: the right to non-discrimination",
}


def test_the_compliance_matrix_and_the_report_per_profile(make_project):
    project = make_project("acme", "lawco", "complyco")
    assert runner.invoke(app, ["build", "--root", str(project.root)]).exit_code == 0
    result = runner.invoke(app, ["validate", "--root", str(project.root)], terminal_width=300)
    assert result.exit_code == 0, result.output
    assert "whole-export validation agrees" in result.output  # pyshacl on the three graphs at once
    lawco = result.output[result.output.index("Lawco (lawco)"):]
    assert "GDPR Art. 13/14: 15 of 18 item(s) stated, 2 silent, 1 not applicable" in lawco
    assert "CCPA/CPRA: 7 of 14 item(s) stated, 7 silent, 0 not applicable" in lawco
    gdpr, ccpa = lawco.index("GDPR Art. 13/14:"), lawco.index("CCPA/CPRA:")
    assert "silent on the right to restriction of processing (GDPR Art. 18)" in lawco[gdpr:ccpa]  # under its profile
    assert "silent on the right to know (CCPA §§1798.100, 1798.110, 1798.115)" in lawco[ccpa:]
    acme = result.output[result.output.index("Acme (acme)"):result.output.index("Complyco (complyco)")]
    assert "GDPR" not in acme and "CCPA" not in acme  # no profile applies: not even a line
    with open(project.kg_dir / "compliance.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    items = [c for c in rows[0] if c != "company"]
    assert len(items) == 32 and items[0] == "GDPR Art. 13(1)(a): the controller's identity and contact details"
    by_company = {r.pop("company"): r for r in rows}
    assert set(by_company["Acme"].values()) == {"not in scope"}
    assert set(by_company["Complyco"].values()) == {"stated"}
    lawco_row = by_company["Lawco"]
    assert {i for i, s in lawco_row.items() if s == "silent"} == LAWCO_SILENT
    assert {i for i, s in lawco_row.items() if s == "not applicable"} == {
        "GDPR Art. 14(1)(d): the categories of personal data obtained from other sources"}
    summary = json.loads((project.kg_dir / "validation" / "summary.json").read_text())
    [lawco_summary] = [c for c in summary["companies"] if c["slug"] == "lawco"]
    assert {f["message"] for f in lawco_summary["findings"] if f["profile"]} == {
        f"silent on {i.split(': ', 1)[1]} ({i.split(': ', 1)[0]})" for i in LAWCO_SILENT}
    assert [p["id"] for p in summary["profiles"]] == ["gdpr", "ccpa"]
