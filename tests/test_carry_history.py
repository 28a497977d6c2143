"""`privacy-kg history carry`: every recorded version of an imported service carried into
corpus/<slug>/versions/<date>/ from the nearest hand-checked version; existing folders never touched."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from privacy_kg import queries
from privacy_kg.cli import app
from privacy_kg.corpus import CARRIED_HEADER
from privacy_kg.store import open_store
from conftest import FIXTURES, REPO, snapshot

runner = CliRunner()
FIXTURE = FIXTURES / "corpus" / "changeco"
V1, V2, CURRENT = "2019-03-01", "2021-06-15", "2023-09-01"
REPOSITORY = "https://github.com/OpenTermsArchive/contrib-versions"
CURRENT_COMMIT = "c" * 40


def commit(n: int) -> str:
    return f"{n:040x}"


def ota_folder(tmp_path, versions: list[tuple[str, str]]):
    """An import's service folder (as `privacy-kg import ota` writes it): (recorded, text) per kept version."""
    folder = tmp_path / "ota" / "changeco"
    (folder / "versions").mkdir(parents=True)
    entries = []
    for n, (recorded, text) in enumerate(versions, 1):
        (folder / "versions" / f"{n:04d}.md").write_text(text, encoding="utf-8")
        entries.append({"number": n, "commit": commit(n), "recorded": f"{recorded}T10:00:00+00:00", "authored": recorded,
                        "classification": "service-change", "subject": "Record new changes of Changeco Privacy Policy",
                        "snapshot": f"https://github.com/OpenTermsArchive/contrib-snapshots/commit/{commit(100 + n)}",
                        "path": "Changeco/Privacy Policy.md", "file": f"versions/{n:04d}.md"})
    (folder / "history.json").write_text(json.dumps({"service": "Changeco", "slug": "changeco", "versions": entries}))
    return folder


@pytest.fixture
def project(make_project):
    """changeco's current version only, with its Open Terms Archive record."""
    project = make_project("changeco")
    folder = project.corpus_dir / "changeco"
    shutil.rmtree(folder / "versions")
    meta = folder / "metadata.yaml"
    meta.write_text(meta.read_text() + f"ota:\n  repository: {REPOSITORY}\n  service: Changeco\n  commit: {CURRENT_COMMIT}\n"
                                       f"  snapshot: mongo://contrib/snapshots/1\n")
    return project


def texts():
    return {day: (FIXTURE / "versions" / day / "policy.txt").read_text() for day in (V1, V2)} | \
           {CURRENT: (FIXTURE / "policy.txt").read_text()}


def carry(project, ota, *args):
    return runner.invoke(app, ["history", "carry", "changeco", "--ota", str(ota), "--no-draft", *args, "--root", str(project.root)])


def test_every_recorded_version_is_carried_from_the_current_one(project, tmp_path):
    t = texts()
    ota = ota_folder(tmp_path, [(V1, t[V1]), (V2, t[V2]), (CURRENT, t[CURRENT])])
    result = carry(project, ota)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"versions/{V1} (import version 1): carried from the current version: ")
    assert lines[1].startswith(f"versions/{V2} (import version 2): carried from the current version: ")
    assert lines[2] == f"versions/{CURRENT} (import version 3): left alone: the current version"
    versions = project.corpus_dir / "changeco" / "versions"
    assert sorted(p.name for p in versions.iterdir()) == [V1, V2]  # no staging folder left
    folder = versions / V2
    assert sorted(p.name for p in folder.iterdir()) == ["carry-report.json", "carry-report.md", "clauses.yaml", "metadata.yaml", "policy.txt"]
    assert (folder / "policy.txt").read_text() == t[V2]
    assert (folder / "clauses.yaml").read_text().startswith(CARRIED_HEADER)
    meta = yaml.safe_load((folder / "metadata.yaml").read_text())
    assert meta["archived_on"] == V2 and meta["name"] == "Changeco" and meta["website"] == "https://changeco.example/"
    assert meta["ota"] == {"repository": REPOSITORY, "service": "Changeco", "commit": commit(2),
                           "snapshot": f"https://github.com/OpenTermsArchive/contrib-snapshots/commit/{commit(102)}"}
    assert meta["source_url"] == f"{REPOSITORY}/blob/{commit(2)}/Changeco/Privacy%20Policy.md"
    assert "last_updated" not in meta  # not known for a recorded version: left out
    report = json.loads((folder / "carry-report.json").read_text())
    statuses = {c["id"]: c["status"] for c in report["clauses"]}
    # 2021 had the same retention, children and sharing clauses; its account clause and notice differ
    assert statuses["retention"] == statuses["children"] == statuses["no-usage-sharing"] == "carried"
    assert statuses["account-data"] == "changed" and statuses["ad-sharing"] == "absent"
    assert report["source"].endswith("corpus/changeco")
    # the carried versions load and build: an earlier version each, marked as carried
    check = runner.invoke(app, ["check", "--root", str(project.root)])
    assert check.exit_code == 0, check.output
    assert f"changeco/versions/{V1}:" in check.output and f"changeco/versions/{V2}:" in check.output
    assert runner.invoke(app, ["build", "--root", str(project.root)]).exit_code == 0
    timeline = queries.run_embedded(open_store(project.kg_dir, history=True), queries.find(REPO / "queries", "version-timeline"))
    assert [(row["recorded"], row["carried"]) for row in timeline.rows] == [(V1, True), (V2, True), (CURRENT, False)]


def test_existing_folders_are_never_touched(project, tmp_path):
    t = texts()
    ota = ota_folder(tmp_path, [(V1, t[V1]), (V2, t[V2])])
    assert carry(project, ota).exit_code == 0
    before = snapshot(project.corpus_dir)
    result = carry(project, ota)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [f"versions/{V1} (import version 1): left alone: exists",
                                             f"versions/{V2} (import version 2): left alone: exists"]
    assert "0 version folder(s) written" in result.stdout
    assert snapshot(project.corpus_dir) == before


def test_a_version_is_carried_from_the_nearest_hand_checked_one(project, tmp_path):
    """The hand-tagged 2021 version is nearer to 2019 than the current one: 2019 is carried from it, and the
    hand-checked folder stays byte for byte as it was."""
    t = texts()
    versions = project.corpus_dir / "changeco" / "versions"
    versions.mkdir()
    shutil.copytree(FIXTURE / "versions" / V2, versions / V2)
    hand = snapshot(versions / V2)
    ota = ota_folder(tmp_path, [(V1, t[V1]), (V2, t[V2])])
    result = carry(project, ota)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(f"versions/{V1} (import version 1): carried from versions/{V2}: ")
    assert snapshot(versions / V2) == hand
    report = json.loads((versions / V1 / "carry-report.json").read_text())
    assert report["source"].endswith(f"versions/{V2}")
    statuses = {c["id"]: c["status"] for c in report["clauses"]}
    assert statuses["no-ad-sharing"] == statuses["policy-change"] == "carried"  # 2021's, which 2019 shares
    assert statuses["no-usage-sharing"] == "changed"  # "We share…" in 2019: edited words, proposed
    # a carried version is not a source: with 2019 gone, and 2021 now a carried folder, 2019 comes from the current
    shutil.rmtree(versions / V1)
    clauses = versions / V2 / "clauses.yaml"
    clauses.write_text(f"{CARRIED_HEADER}: (as if carried)\n" + clauses.read_text())
    result = carry(project, ota)
    assert result.stdout.splitlines()[0].startswith(f"versions/{V1} (import version 1): carried from the current version: ")


def test_versions_that_are_not_earlier_versions_are_left_alone(project, tmp_path):
    t = texts()
    ota = ota_folder(tmp_path, [
        ("2020-01-01", t[V1]), ("2020-01-01", t[V2]),  # two on one day: the later one is that day's version
        ("2023-08-25", t[CURRENT].replace("Changeco", "Changeco ")),  # the current text, first recorded earlier
        (CURRENT, t[CURRENT]), ("2024-02-02", t[V1]),  # the current day; after it
    ])
    result = carry(project, ota)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:5] == [
        "versions/2020-01-01 (import version 1): left alone: a later version was recorded the same day",
        "versions/2020-01-01 (import version 2): carried from the current version: 3 carried, 1 changed, 2 absent, 0 ambiguous; 3 new sentences uncovered",
        "versions/2023-08-25 (import version 3): left alone: same text as the current version",
        f"versions/{CURRENT} (import version 4): left alone: the current version",
        "versions/2024-02-02 (import version 5): left alone: not before the current version",
    ]
    assert (project.corpus_dir / "changeco" / "versions" / "2020-01-01" / "policy.txt").read_text() == t[V2]


def test_a_version_that_cannot_be_written_stops_the_run_and_leaves_no_partial_folder(project, tmp_path):
    t = texts()
    ota = ota_folder(tmp_path, [(V1, t[V1]), (V2, t[V2].replace("Last updated", "Last\x07updated"))])
    result = carry(project, ota)
    assert result.exit_code == 2
    problems = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
    assert len(problems) == 1 and f"versions/{V2}/policy.txt:2: control character '\\x07'" in problems[0]
    assert "1 version folder(s) written before the error; they stay." in result.output
    versions = project.corpus_dir / "changeco" / "versions"
    assert sorted(p.name for p in versions.iterdir()) == [V1]  # 2021 not half-written, no staging folder left


@pytest.mark.parametrize("breakage, message", [
    ("no history", "history.json: is missing: give --ota a service folder written by `privacy-kg import ota`"),
    ("not json", "history.json: is not JSON"),
    ("not a history", "history.json: is not an import history"),
    ("no ota record", "metadata.yaml: has no `ota:` record"),
])
def test_bad_input_is_a_one_line_error_and_nothing_is_written(project, tmp_path, breakage, message):
    t = texts()
    ota = ota_folder(tmp_path, [(V1, t[V1])])
    if breakage == "no history":
        (ota / "history.json").unlink()
    elif breakage == "not json":
        (ota / "history.json").write_text("{")
    elif breakage == "not a history":
        (ota / "history.json").write_text(json.dumps({"versions": [{"number": 1}]}))
    else:
        meta = project.corpus_dir / "changeco" / "metadata.yaml"
        meta.write_text(meta.read_text().split("ota:")[0])
    before = snapshot(project.corpus_dir)
    result = carry(project, ota)
    assert result.exit_code == 2
    problems = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
    assert len(problems) == 1 and message in problems[0], result.output
    assert snapshot(project.corpus_dir) == before



def test_a_changed_quote_that_occurs_twice_names_its_occurrence_even_the_first():
    """The corpus asks which occurrence a repeated quote is; carry used to leave `occurrence: 1` out."""
    from privacy_kg.carry import CHANGED, Anchor, Carry
    from privacy_kg.carry_output import render
    from privacy_kg.segment import Span
    edited = "We collect your email address."
    new_text = f"{edited}\nMobile app: {edited}\n"
    raw = {"c": {"id": "c", "quote": "We collect your e-mail address.", "statements": [{"practice": "Collection", "modality": "Does"}]}}
    anchor = Anchor("c", CHANGED, Span(0, 31, raw["c"]["quote"]), Span(0, len(edited), edited), 1, 0.95, "diff")
    [clause] = yaml.safe_load(render(Carry([anchor], [], 0), raw, new_text, []))["clauses"]
    assert clause["quote"] == edited and clause["occurrence"] == 1 and clause["proposed"] is True
    anchor.new, anchor.occurrence = Span(0, len(edited), edited), 1
    [once] = yaml.safe_load(render(Carry([anchor], [], 0), raw, edited + "\n", []))["clauses"]
    assert "occurrence" not in once  # a quote that occurs once needs none
