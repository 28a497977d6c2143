"""`privacy-kg tagger train|evaluate` and `privacy-kg tag` on the tiny OPP-115-format fixture."""

from __future__ import annotations

from typer.testing import CliRunner

from conftest import FIXTURES
from privacy_kg.cli import app

MINI = FIXTURES / "tagger" / "opp115"
POLICY = """\
Home | Privacy | Terms | FAQ

Information We Collect
We collect your e-mail address when you register. We do not sell it to third parties.
"""


def test_cli_evaluate_json(tmp_path):
    result = CliRunner().invoke(app, ["tagger", "evaluate", "--opp115", str(MINI), "--folds", "2", "--no-embeddings",
                                      "--format", "json", "--models", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert '"micro"' in result.output and '"modality"' in result.output


def test_cli_evaluate_fails_under_a_floor(tmp_path):
    result = CliRunner().invoke(app, ["tagger", "evaluate", "--opp115", str(MINI), "--folds", "2", "--no-embeddings",
                                      "--models", str(tmp_path), "--fail-under", "1.0"])
    assert result.exit_code == 1 and "below --fail-under" in result.output


def test_cli_train_then_tag(make_project, tmp_path):
    project = make_project()
    models = tmp_path / "models"
    runner = CliRunner()
    trained = runner.invoke(app, ["tagger", "train", "--opp115", str(MINI), "--no-embeddings", "--models", str(models)])
    assert trained.exit_code == 0, trained.output
    policy = tmp_path / "policy.txt"
    policy.write_text(POLICY, encoding="utf-8")
    args = ["tag", str(policy), "-c", "example-co", "--root", str(project.root), "--models", str(models)]
    tagged = runner.invoke(app, args)
    assert tagged.exit_code == 0, tagged.output
    assert (project.corpus_dir / "example-co" / "clauses.yaml").exists()
    again = runner.invoke(app, args)  # refuses to overwrite the draft: usage error, nothing written
    assert again.exit_code == 2 and "exists already" in again.output


def test_cli_evaluate_seeds_reports_each_company_era_and_key(make_project, tmp_path):
    import json
    project = make_project("lawco", "cloncom")
    models = tmp_path / "models"
    runner = CliRunner()
    assert runner.invoke(app, ["tagger", "train", "--opp115", str(MINI), "--no-embeddings", "--models", str(models)]).exit_code == 0
    result = runner.invoke(app, ["tagger", "evaluate", "--opp115", str(MINI), "--trained", "--seeds", "--no-embeddings",
                                 "--format", "json", "--root", str(project.root), "--models", str(models)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["seeds"]
    assert [(r["company"], r["era"]) for r in rows] == [("cloncom", "pre-GDPR"), ("lawco", "GDPR/CCPA"), ("pre-GDPR", "pre-GDPR"),
                                                       ("GDPR/CCPA", "GDPR/CCPA"), ("all", "")]
    lawco = rows[1]
    assert lawco["hand_clauses"] == 24 and {"practice", "modality", "rights", "legal_basis", "response_time"} <= set(lawco["keys"])
    assert lawco["keys"]["response_time"]["support"] == 1 and lawco["keys"]["response_time"]["tp"] == 0
    assert rows[-1]["keys"]["rights"]["support"] == lawco["keys"]["rights"]["support"] == 9
    table = runner.invoke(app, ["tagger", "evaluate", "--opp115", str(MINI), "--trained", "--seeds", "--no-embeddings",
                                "--root", str(project.root), "--models", str(models)])
    assert table.exit_code == 0 and "Statement keys recovered" in table.output and "transfer_mechanisms" in table.output
