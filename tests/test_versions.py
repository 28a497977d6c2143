"""Earlier versions of a policy in the corpus (corpus/<slug>/versions/<date>/) and in the graph: the loader's
checks, one named graph per version described with PROV-O, the incremental and atomic build, validation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from privacy_kg import build as building, mapping, validate as validation
from privacy_kg.cli import app
from privacy_kg.namespaces import GRAPH, ID, PK, PROV
from conftest import snapshot

runner = CliRunner()
XSD_DATE, XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#date", "http://www.w3.org/2001/XMLSchema#boolean"
V1, V2, CURRENT = "2019-03-01", "2021-06-15", "2023-09-01"


def run(project, *args):
    return runner.invoke(app, [*args, "--root", str(project.root)])


def quads(path) -> set[tuple[str, str, str, str]]:
    return {(q.subject.value, q.predicate.value, str(q.object), q.graph_name.value)
            for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)}


@pytest.fixture
def changeco(make_project):
    return make_project("changeco")


# -- the loader --------------------------------------------------------------------------------------

def test_check_loads_every_version_of_a_company(changeco):
    result = run(changeco, "check", "-c", "changeco")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "changeco: 6 clauses, 6 statements: ok",
        f"changeco/versions/{V1}: 6 clauses, 6 statements: ok",
        f"changeco/versions/{V2}: 7 clauses, 7 statements: ok",
    ]
    [current, first, second] = changeco.companies(versions=True)
    assert (current.version, current.previous, current.recorded) == (None, V2, CURRENT)
    assert (first.version, first.previous, second.version, second.previous) == (V1, None, V2, V1)
    assert current.slug == first.slug == second.slug == "changeco"


def _break(project, breakage: str) -> str:
    """Break the fixture's versions one way; return what the error must name."""
    folder = project.corpus_dir / "changeco"
    versions = folder / "versions"
    if breakage == "name not a date":
        (versions / V1).rename(versions / "first")
        return f"{versions / 'first'}: version folder name 'first' is not a date (YYYY-MM-DD)"
    if breakage == "date that does not exist":
        (versions / V1).rename(versions / "2019-02-30")
        return "version folder name '2019-02-30' is not a date"
    if breakage == "a file in versions/":
        (versions / "notes.txt").write_text("a stray file\n")
        return f"{versions / 'notes.txt'}: is not a folder"
    if breakage == "versions is a file":
        shutil.rmtree(versions)
        versions.write_text("")
        return f"{versions}: must be a folder"
    if breakage == "missing text":
        (versions / V1 / "policy.txt").unlink()
        return f"{versions / V1 / 'policy.txt'}: policy text is missing"
    edits = {  # breakage: (the metadata file, what it says, what it is made to say, the error)
        "archived_on differs": (versions / V1, V1, "2019-03-02", "archived_on 2019-03-02 differs from the version folder's date " + V1),
        "archived_on missing": (versions / V1, V1, "null", "archived_on is required in an earlier version's metadata"),
        "current undated": (folder, CURRENT, "null", "archived_on is required when the company has earlier versions"),
        "current not the newest": (folder, CURRENT, "2020-01-01", "archived_on 2020-01-01 is not after the latest earlier version"),
    }
    if breakage in edits:
        where, was, now, error = edits[breakage]
        meta = where / "metadata.yaml"
        meta.write_text(meta.read_text().replace(f"archived_on: {was}", f"archived_on: {now}"))
        return f"{meta}:7: {error}"
    if breakage == "nested versions":
        (versions / V1 / "versions").mkdir()
        return f"{versions / V1 / 'versions'}: a version folder holds no versions of its own"
    if breakage == "bad tag in a version":
        clauses = versions / V2 / "clauses.yaml"
        clauses.write_text(clauses.read_text().replace("data: Cookie", "data: Cookee"))
        return f"{clauses}:"  # with the clause and the nearest terms
    raise AssertionError(breakage)


BREAKAGES = ["name not a date", "date that does not exist", "a file in versions/", "versions is a file", "missing text",
             "archived_on differs", "archived_on missing", "current undated", "current not the newest", "nested versions",
             "bad tag in a version"]


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_bad_version_folder_is_a_one_line_error_and_nothing_is_written(changeco, breakage):
    assert run(changeco, "build").exit_code == 0
    before = snapshot(changeco.kg_dir)
    expected = _break(changeco, breakage)
    for command in ("check", "build"):
        result = run(changeco, command)
        assert result.exit_code == 2, result.output
        problems = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
        assert len(problems) == 1, result.output
        assert expected in problems[0], result.output
    assert snapshot(changeco.kg_dir) == before
    if breakage == "bad tag in a version":
        assert "[clause cookies]" in problems[0] and "unknown tag 'Cookee'; nearest valid terms: Cookie" in problems[0]


def test_hidden_entries_of_versions_are_ignored(changeco):
    """A carry's staging folder (or an editor's file) starting with a dot is no version."""
    (changeco.corpus_dir / "changeco" / "versions" / ".staging-1-abcd").mkdir()
    (changeco.corpus_dir / "changeco" / "versions" / ".DS_Store").write_text("")
    assert run(changeco, "check").exit_code == 0


# -- the graphs ----------------------------------------------------------------------------------------

def test_each_earlier_version_is_a_named_graph_described_with_prov(changeco):
    assert run(changeco, "build").exit_code == 0
    kg = changeco.kg_dir
    assert sorted(p.relative_to(kg).as_posix() for p in (kg / "history").rglob("*")) == [
        "history/changeco", f"history/changeco/{V1}.nq", f"history/changeco/{V2}.nq"]
    current, first = quads(kg / "quads" / "changeco.nq"), quads(kg / "history" / "changeco" / f"{V1}.nq")
    second = quads(kg / "history" / "changeco" / f"{V2}.nq")
    assert {q[3] for q in current} == {str(GRAPH["changeco"])}
    assert {q[3] for q in first} == {str(GRAPH[f"changeco/version/{V1}"])}
    assert {q[3] for q in second} == {str(GRAPH[f"changeco/version/{V2}"])}

    def described(graph, date):
        version = str(ID[f"changeco/version/{date}"])
        return {(p, o) for s, p, o, _ in graph if s == version}

    date = f"^^<{XSD_DATE}>"
    assert described(second, V2) == {
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{PK.PolicyVersion}>"),
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{PROV.Entity}>"),  # inferred: PolicyVersion ⊑ prov:Entity
        ("http://www.w3.org/2000/01/rdf-schema#label", '"Changeco privacy policy, recorded 2021-06-15"'),
        (str(PROV.generatedAtTime), f'"{V2}"{date}'),
        (str(PROV.specializationOf), f"<{ID['changeco/policy']}>"),
        (str(PROV.wasRevisionOf), f"<{ID[f'changeco/version/{V1}']}>"),
        (str(PK.lastUpdated), f'"2021-06-10"{date}'),
        (str(PK.versionGraph), f"<{GRAPH[f'changeco/version/{V2}']}>"),
    }
    assert (str(PROV.wasRevisionOf), f"<{ID[f'changeco/version/{V2}']}>") in described(current, CURRENT)
    assert (str(PK.versionGraph), f"<{GRAPH['changeco']}>") in described(current, CURRENT)
    assert not {p for p, _ in described(first, V1)} & {str(PROV.wasRevisionOf)}  # the first revises nothing recorded
    # the same statement keeps its IRI: the retention clause in every version, with each version's own quote
    retention = str(ID["changeco/clause/retention"])
    quotes = [{o for s, p, o, _ in g if s == retention and p == str(PK.quote)} for g in (first, second, current)]
    assert quotes == [{'"We keep your account data for 30 days after you close your account."'},
                      {'"We keep your account data for 90 days after you close your account."'},
                      {'"We keep your account data for 90 days after you close your account."'}]
    text = str(ID["changeco/policy/text"])
    assert (text, "http://purl.org/dc/terms/source", f'"corpus/changeco/versions/{V1}/policy.txt"', str(GRAPH[f"changeco/version/{V1}"])) in first
    # an earlier version is not in the current dataset: no Turtle of its own, not in the merged file
    assert "version/2019" not in (kg / "privacy-kg.ttl").read_text() and "2021-06-10" not in (kg / "privacy-kg.ttl").read_text()


def test_a_version_carry_wrote_is_marked_carried(changeco):
    clauses = changeco.corpus_dir / "changeco" / "versions" / V2 / "clauses.yaml"
    clauses.write_text("# Carried by `privacy-kg carry`: 7 carried, 0 changed, 0 absent, 0 ambiguous.\n" + clauses.read_text())
    assert run(changeco, "build").exit_code == 0
    second = quads(changeco.kg_dir / "history" / "changeco" / f"{V2}.nq")
    assert (str(ID[f"changeco/version/{V2}"]), str(PK.isCarried), f'"true"^^<{XSD_BOOLEAN}>',
            str(GRAPH[f"changeco/version/{V2}"])) in second
    assert not any(q[1] == str(PK.isCarried) for q in quads(changeco.kg_dir / "quads" / "changeco.nq"))


def test_a_company_without_a_recorded_date_has_no_version_node(make_project):
    """crystalcall has no archived_on: nothing dates its version, so nothing describes it."""
    [crystal] = make_project("crystalcall").companies()
    assert crystal.recorded is None and not list(mapping.version_triples(crystal))


def test_the_seeds_graphs_gain_only_their_version_description(make_project, monkeypatch):
    """The seeds have no earlier versions: their export differs from one without version descriptions
    by the description (and its inferred prov:Entity type) only."""
    project = make_project("cloncom", "crystalcall")
    with_versions = building.build(project, incremental=False).outputs
    original = mapping.company_triples
    monkeypatch.setattr(mapping, "company_triples", lambda c: (t for t in original(c)
                                                               if not str(t[0]).startswith(str(ID[c.slug + "/version/"]))))
    without = building.build(project, incremental=False).outputs
    version = str(ID["cloncom/version/2009-04-26"])

    def body(data: bytes) -> set[str]:
        return {line for line in data.decode().splitlines() if not line.startswith("#")}
    extra = body(with_versions["quads/cloncom.nq"]) - body(without["quads/cloncom.nq"])
    assert extra and all(line.startswith(f"<{version}> ") for line in extra)
    assert len(extra) == 7  # type, prov:Entity, label, generatedAtTime, specializationOf, lastUpdated, versionGraph
    assert body(without["quads/cloncom.nq"]) <= body(with_versions["quads/cloncom.nq"])
    assert body(with_versions["quads/crystalcall.nq"]) == body(without["quads/crystalcall.nq"])  # undated: no change


# -- the build -----------------------------------------------------------------------------------------

def test_builds_with_versions_are_byte_identical_and_incremental_per_version(changeco):
    assert run(changeco, "build").exit_code == 0
    first = snapshot(changeco.kg_dir)
    assert run(changeco, "build").exit_code == 0
    assert snapshot(changeco.kg_dir) == first
    assert building.build(changeco, incremental=False).outputs == first
    versions = changeco.corpus_dir / "changeco" / "versions"
    clauses = versions / V1 / "clauses.yaml"
    clauses.write_text(clauses.read_text().replace("data: OnlineActivity", "data: PagesVisited"))
    result = building.build(changeco)
    assert result.rebuilt == [f"changeco/versions/{V1}"]
    assert set(result.outputs.paths) == {f"history/changeco/{V1}.nq", building.MERGED_TTL, building.ONTOLOGY_QUADS}
    building.write(changeco, result)
    # a version recorded in between: it is built, and the version after it now revises it
    shutil.copytree(versions / V1, versions / "2020-05-05")
    meta = versions / "2020-05-05" / "metadata.yaml"
    meta.write_text(meta.read_text().replace(f"archived_on: {V1}", "archived_on: 2020-05-05"))
    result = building.build(changeco)
    assert result.rebuilt == ["changeco/versions/2020-05-05", f"changeco/versions/{V2}"]
    building.write(changeco, result)
    assert (str(ID[f"changeco/version/{V2}"]), str(PROV.wasRevisionOf), f"<{ID['changeco/version/2020-05-05']}>",
            str(GRAPH[f"changeco/version/{V2}"])) in quads(changeco.kg_dir / "history" / "changeco" / f"{V2}.nq")
    # the latest earlier version removed: its graph goes, and the current version now revises the one before
    shutil.rmtree(versions / V2)
    result = run(changeco, "build", "--check")
    assert result.exit_code == 1 and f"kg/history/changeco/{V2}.nq: stale" in result.output
    assert "kg/companies/changeco.ttl: changed" in result.output
    result = building.build(changeco)
    assert result.rebuilt == ["changeco"]
    building.write(changeco, result)
    assert not (changeco.kg_dir / "history" / "changeco" / f"{V2}.nq").exists()
    assert (str(ID[f"changeco/version/{CURRENT}"]), str(PROV.wasRevisionOf), f"<{ID['changeco/version/2020-05-05']}>",
            str(GRAPH["changeco"])) in quads(changeco.kg_dir / "quads" / "changeco.nq")
    # every version removed: the history folder goes with them
    shutil.rmtree(versions)
    assert run(changeco, "build").exit_code == 0
    assert not (changeco.kg_dir / "history").exists()


def test_an_inconsistent_version_fails_the_build_naming_it(changeco):
    assert run(changeco, "build").exit_code == 0
    before = snapshot(changeco.kg_dir)
    with open(changeco.ontology_dir / "privacy-kg.ttl", "a", encoding="utf-8") as f:
        f.write("\npk:Tracking owl:disjointWith pk:Collection .\n")
    clauses = changeco.corpus_dir / "changeco" / "versions" / V2 / "clauses.yaml"
    clauses.write_text(clauses.read_text().replace("practice: Tracking", "practice: [Tracking, Collection]"))
    result = run(changeco, "build")
    assert result.exit_code == 1
    assert f"corpus/changeco/versions/{V2}/clauses.yaml" in result.output and "inconsistent" in result.output
    assert snapshot(changeco.kg_dir) == before


def test_a_build_with_versions_killed_at_any_step_leaves_kg_old_or_new(changeco, tmp_path):
    """The switch that adds a version's graph and rewrites the current graph (which now revises it) is atomic."""
    def cli(root, env=None):
        return subprocess.run([sys.executable, "-m", "privacy_kg", "build", "-j", "1", "--root", str(root)],
                              env=env, capture_output=True)
    shutil.move(changeco.corpus_dir / "changeco" / "versions" / V2, tmp_path / V2)
    assert cli(changeco.root).returncode == 0
    old = snapshot(changeco.kg_dir)
    shutil.move(tmp_path / V2, changeco.corpus_dir / "changeco" / "versions" / V2)
    shutil.copytree(changeco.root, tmp_path / "base")
    assert cli(changeco.root).returncode == 0
    new = snapshot(changeco.kg_dir)
    assert f"history/changeco/{V2}.nq" in set(new) - set(old) and new["quads/changeco.nq"] != old["quads/changeco.nq"]
    for step in range(1, 40):
        root = tmp_path / f"run-{step}"
        shutil.copytree(tmp_path / "base", root)
        done = cli(root, env={**os.environ, "PRIVACY_KG_DIE_AFTER_STEP": str(step), "PRIVACY_KG_DIE_SIGNAL": "KILL"})
        result = runner.invoke(app, ["stats", "--root", str(root)])  # the next command completes a pending switch
        assert result.exit_code == 0, result.output
        assert snapshot(root / "kg") in (old, new), f"step {step}"
        shutil.rmtree(root)
        if done.returncode == 0:
            break
    else:
        pytest.fail("the build never completed")
    assert step > 3


# -- validation ----------------------------------------------------------------------------------------

def test_validate_reports_violations_of_earlier_versions_but_not_their_silences(changeco):
    assert run(changeco, "build").exit_code == 0
    result = validation.validate(changeco)
    current, first, second = result.companies
    assert (current.version, first.version, second.version) == (None, V1, V2)
    assert any(f.severity == "Warning" for f in current.findings)  # the current version is silent on some topics
    assert first.findings == second.findings == [] and not first.coverage
    assert [c.name for c in result.current] == ["Changeco"]
    # a version graph whose description lost its date: the PolicyVersion shape flags it
    history = changeco.kg_dir / "history" / "changeco" / f"{V1}.nq"
    history.write_text("".join(line + "\n" for line in history.read_text().splitlines() if "generatedAtTime" not in line))
    result = validation.validate(changeco)
    [finding] = result.companies[1].findings
    assert finding.severity == "Violation" and "recorded on one day" in finding.message
    assert finding.focus == str(ID[f"changeco/version/{V1}"])
    assert not result.ok
    summary = validation.summary(result).decode()
    assert '"version": "2019-03-01"' in summary and "recorded on one day" in summary
    assert validation.coverage_csv(result).decode().count("\n") == 2  # header + the current version


def test_the_policy_version_shape_accepts_what_the_build_writes(changeco):
    """Built versions conform (checked above); a second date or graph is a violation too."""
    assert run(changeco, "build").exit_code == 0
    version = str(ID[f"changeco/version/{V2}"])
    history = changeco.kg_dir / "history" / "changeco" / f"{V2}.nq"
    g = str(GRAPH[f"changeco/version/{V2}"])
    with open(history, "a", encoding="utf-8") as f:
        f.write(f'<{version}> <{PROV.generatedAtTime}> "2021-06-16"^^<{XSD_DATE}> <{g}> .\n')
        f.write(f"<{version}> <{PK.versionGraph}> <{GRAPH['changeco']}> <{g}> .\n")
    messages = sorted(f.message for f in validation.validate(changeco).companies[2].findings)
    assert any("recorded on one day" in m for m in messages) and any("one named graph" in m for m in messages)
