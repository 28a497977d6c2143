"""`privacy-kg import opp115`: the kg/ layout outside git, a report with the errata, byte-identical reruns,
and exit 2 with nothing written on bad input or a bad --out (fixture: a made-up policy)."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from conftest import COMPANIES, REPO, snapshot
from opp115_support import FIXTURE
from privacy_kg.cli import app
from privacy_kg.store import open_store, rows
from privacy_kg.validate import validate_company

runner = CliRunner()
SLUG = "opp115-1-example-com"


def run(*args):
    return runner.invoke(app, ["import", "opp115", *map(str, args), "--root", str(REPO), "-j", "1"])


def test_import_writes_the_kg_layout_and_a_report_and_reruns_identically(tmp_path):
    out = tmp_path / "out"
    result = run(FIXTURE, "--out", out)
    assert result.exit_code == 0, result.output
    assert "imported 1 policy (9 practices" in result.output and "errata: 6" in result.output
    files = snapshot(out)
    assert set(files) == {f"companies/{SLUG}.ttl", f"inferred/{SLUG}.ttl", f"quads/{SLUG}.nq", "quads/ontology.nq",
                          "import-report.json", "import-manifest.json"}
    assert json.loads(files["import-manifest.json"])["files"] == sorted(set(files) - {"import-manifest.json"})
    report = json.loads(files["import-report.json"])
    assert report["policies"] == 1 and report["totals"]["practices"] == 9
    assert report["errata"]["total"] == 6 and report["errata"]["missing span"] == 2
    assert {e["annotation"] for e in report["errata_details"]} == {"C4", "6", "7", "9"}
    assert all(e["file"] == "consolidation/1_example.com.csv" and e["line"] for e in report["errata_details"])
    assert run(FIXTURE, "--out", out).exit_code == 0
    assert snapshot(out) == files


def test_the_export_loads_into_the_store_and_passes_the_shapes(tmp_path):
    out = tmp_path / "out"
    assert run(FIXTURE, "--out", out).exit_code == 0
    store = open_store(out)
    (row,) = rows(store, "PREFIX pk: <https://w3id.org/privacy-kg/ontology#> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a pk:Practice } }")
    assert int(row["n"].value) == 9
    (topic,) = rows(store, "PREFIX pk: <https://w3id.org/privacy-kg/ontology#> SELECT ?p WHERE { GRAPH ?g { ?p a pk:DoNotTrack } }")
    assert topic["p"].value.endswith("/practice/segment-3-2")  # the closure is in the export
    validation = validate_company(SLUG, out, REPO / "ontology")
    assert not validation.inconsistencies
    assert not [f for f in validation.findings if f.severity == "Violation"]
    assert {f.message for f in validation.findings} == {"silent on user access, edit and deletion", "silent on data security",
                                                        "silent on policy change", "silent on children and specific audiences"}


def test_majority_mode_is_reported(tmp_path):
    out = tmp_path / "out"
    assert run(FIXTURE, "--out", out, "--majority").exit_code == 0
    report = json.loads((out / "import-report.json").read_text())
    assert report["annotations"] == "majority (quorum 2)" and report["totals"]["practices"] == 3
    assert report["totals"]["below_quorum"] == 1


def test_raw_and_majority_together_is_a_usage_error(tmp_path):
    result = run(FIXTURE, "--out", tmp_path / "out", "--raw", "--majority")
    assert result.exit_code == 2 and "not both" in result.output
    assert not (tmp_path / "out").exists()


def test_output_inside_a_tracked_folder_is_refused(tmp_path):
    result = run(FIXTURE, "--out", REPO / "kg" / "opp115")
    assert result.exit_code == 2 and "inside kg/" in result.output
    assert not (REPO / "kg" / "opp115").exists()


def test_bad_input_exits_2_lists_every_problem_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    assert run(FIXTURE, "--out", out).exit_code == 0
    before = snapshot(out)
    root = tmp_path / "opp115"
    shutil.copytree(FIXTURE, root)
    path = root / "consolidation" / "1_example.com.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'X1,b,1,1,0,Other\r\nX2,b,1,1,42,Other,"{}",d,u\r\n', encoding="utf-8")
    result = run(root, "--out", out)
    assert result.exit_code == 2
    assert "2 problem(s)" in result.output and "1_example.com.csv:10" in result.output and "1_example.com.csv:11" in result.output
    assert snapshot(out) == before


def test_a_folder_that_is_not_opp115_is_an_input_error(tmp_path):
    result = run(tmp_path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "is this an OPP-115 folder?" in result.output


def test_validate_stats_and_query_take_the_import_alongside_the_seeds(tmp_path):
    out = tmp_path / "out"
    assert run(FIXTURE, "--out", out).exit_code == 0
    extra = ["--extra-kg", str(out), "--root", str(REPO)]
    stats = runner.invoke(app, ["stats", *extra])
    assert stats.exit_code == 0, stats.output
    assert f"{len(COMPANIES) + 1} companies" in stats.output and "Example Widgets" in stats.output
    query = runner.invoke(app, ["query", "do-not-track", "--format", "csv", *extra])
    assert query.exit_code == 0, query.output
    assert "Example Widgets,segment-3,does" in query.output  # the fixture's Do Not Track segment, next to the seeds' answers
    seeds_only = runner.invoke(app, ["query", "do-not-track", "--format", "csv", "--root", str(REPO)])
    assert seeds_only.exit_code == 0 and "Example Widgets" not in seeds_only.output
    # validate writes the import's report into its own folder, never into the committed kg/
    committed = snapshot(REPO / "kg" / "validation")
    validated = runner.invoke(app, ["validate", "-j", "1", *extra])
    assert validated.exit_code == 0, validated.output
    assert "local" not in validated.output and f"{out}: 0 violation(s), 4 warning(s)" in " ".join(validated.output.split())
    assert json.loads((out / "validation" / "summary.json").read_text())["companies"][0]["slug"] == SLUG
    assert snapshot(REPO / "kg" / "validation") == committed


def test_a_reimport_removes_only_what_the_earlier_import_listed_and_keeps_validate_outputs(tmp_path):
    out = tmp_path / "out"
    assert run(FIXTURE, "--out", out).exit_code == 0
    manifest = json.loads((out / "import-manifest.json").read_text())
    manifest["files"].append("companies/gone.ttl")  # as if an earlier import had written a policy since dropped
    (out / "import-manifest.json").write_text(json.dumps(manifest))
    (out / "companies" / "gone.ttl").write_text("# an earlier import's\n")
    (out / "validation").mkdir()
    (out / "validation" / "summary.json").write_text("{}")  # `validate --extra-kg` writes here
    assert run(FIXTURE, "--out", out).exit_code == 0
    assert not (out / "companies" / "gone.ttl").exists()
    assert (out / "validation" / "summary.json").read_text() == "{}"


def test_an_out_folder_holding_a_file_no_import_wrote_is_refused_and_left_untouched(tmp_path):
    out = tmp_path / "out"
    assert run(FIXTURE, "--out", out).exit_code == 0
    (out / "companies" / "thesis.ttl").write_text("my own work\n")
    before = snapshot(out)
    result = run(FIXTURE, "--out", out)
    assert result.exit_code == 2 and "companies/thesis.ttl" in result.output and "import did not write" in result.output
    assert snapshot(out) == before
    mine = tmp_path / "mine"
    (mine / "companies").mkdir(parents=True)
    (mine / "companies" / "x.ttl").write_text("mine\n")
    assert run(FIXTURE, "--out", mine).exit_code == 2 and (mine / "companies" / "x.ttl").read_text() == "mine\n"


def test_an_out_folder_holding_git_tracked_files_is_refused(tmp_path):
    """Another checkout's kg/: its tracked files must neither be deleted nor joined by licensed data."""
    import subprocess

    checkout = tmp_path / "checkout"
    (checkout / "kg" / "companies").mkdir(parents=True)
    (checkout / "kg" / "companies" / "seed.ttl").write_text("# seed\n")
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    subprocess.run(["git", "-C", str(checkout), "add", "kg"], check=True)
    before = snapshot(checkout / "kg")
    for out in (checkout / "kg", checkout / "kg" / "opp115"):
        result = run(FIXTURE, "--out", out)
        assert result.exit_code == 2 and "git tracks kg/companies/seed.ttl" in result.output, result.output
    assert snapshot(checkout / "kg") == before and not (checkout / "kg" / "opp115").exists()


def test_an_import_written_before_manifests_is_recognised_and_replaced(tmp_path):
    out = tmp_path / "out"
    assert run(FIXTURE, "--out", out).exit_code == 0
    (out / "import-manifest.json").unlink()
    assert run(FIXTURE, "--out", out).exit_code == 0 and (out / "import-manifest.json").exists()


def test_a_csv_whose_policy_html_is_missing_is_an_error_and_keeps_the_earlier_output(tmp_path):
    """Issue 16 case 21: the policy's earlier output used to be deleted with exit 0."""
    root = tmp_path / "opp115"
    shutil.copytree(FIXTURE, root)
    for folder, suffix in (("sanitized_policies", "html"), ("consolidation", "csv")):
        shutil.copy(root / folder / f"1_example.com.{suffix}", root / folder / f"2_example.org.{suffix}")
    out = tmp_path / "out"
    assert run(root, "--out", out).exit_code == 0
    before = snapshot(out)
    assert "companies/opp115-2-example-org.ttl" in before
    (root / "sanitized_policies" / "2_example.org.html").unlink()
    result = run(root, "--out", out)
    assert result.exit_code == 2, result.output
    assert "2_example.org.csv" in result.output and "sanitized_policies/2_example.org.html is missing" in result.output
    assert snapshot(out) == before


def test_majority_keeps_one_practice_per_majority_reading_and_lists_the_split_segments(tmp_path):
    """Issue 16 case 10: when Does and Does Not both reach the majority in a segment, the Does Not practice
    used to be merged away (1034_aol.com segment 11: "AOL does not read your private online communications")."""
    root = tmp_path / "opp115"
    shutil.copytree(FIXTURE, root)
    path = root / "annotations" / "1_example.com.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    denied = [line.replace('""value"": ""Does""}', '""value"": ""Does Not""}', 1) for line in lines[:2]]
    assert all('""Does Not""' in line for line in denied)
    denied = [line.replace(line.split(",", 1)[0], f"11{i}", 1) for i, line in enumerate(denied)]
    path.write_text("\r\n".join(lines + denied) + "\r\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(root, "--out", out, "--majority")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "import-report.json").read_text())
    assert report["totals"]["practices"] == 4  # 3 without the split
    assert [(x["file"], x["segment"], x["category"], x["reading"]) for x in report["majority_split_segments"]] == [
        ("annotations/1_example.com.csv", 1, "First Party Collection/Use", "Does/Does Not: Does"),
        ("annotations/1_example.com.csv", 1, "First Party Collection/Use", "Does/Does Not: Does Not")]
    store = open_store(out)
    modalities = rows(store, "PREFIX pk: <https://w3id.org/privacy-kg/ontology#> SELECT ?m WHERE { GRAPH ?g { "
                             "?p pk:hasModality ?m FILTER(CONTAINS(STR(?p), '/practice/segment-1-')) } }")
    assert sorted(r["m"].value.rsplit("#", 1)[1] for r in modalities) == ["Does", "DoesNot"]
