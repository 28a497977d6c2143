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
