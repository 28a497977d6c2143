"""The build: byte-identical rebuilds, `--check` naming stale files, bad input leaving kg/ untouched."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from privacy_kg import build as building
from privacy_kg.cli import app
from privacy_kg.namespaces import PK
from conftest import snapshot

runner = CliRunner()


def run(project, *args):
    return runner.invoke(app, [*args, "--root", str(project.root)])


def test_two_builds_are_byte_identical(make_project):
    project = make_project("acme", "voipcom")
    assert run(project, "build").exit_code == 0
    first = snapshot(project.kg_dir)
    assert set(first) == {
        "companies/acme.ttl", "companies/voipcom.ttl", "inferred/acme.ttl", "inferred/voipcom.ttl",
        "privacy-kg.ttl", "privacy-kg.nq",
    }
    assert run(project, "build").exit_code == 0
    assert snapshot(project.kg_dir) == first
    assert building.build(project, incremental=False).outputs == first  # in this process, without the pool


def test_check_passes_when_fresh_and_names_stale_files(make_project):
    project = make_project("acme", "voipcom")
    run(project, "build")
    assert run(project, "build", "--check").exit_code == 0
    clauses = project.corpus_dir / "acme" / "clauses.yaml"
    clauses.write_text(clauses.read_text().replace("note: the subpoena exception", "note: changed"))
    (project.kg_dir / "companies" / "old.ttl").write_text("# a company that left the corpus\n")
    before = snapshot(project.kg_dir)
    result = run(project, "build", "--check")
    assert result.exit_code == 1
    assert "kg/companies/acme.ttl: changed" in result.output
    assert "kg/companies/old.ttl: stale" in result.output
    assert "kg/companies/voipcom.ttl" not in result.output
    assert snapshot(project.kg_dir) == before  # --check writes nothing
    assert run(project, "build").exit_code == 0
    assert not (project.kg_dir / "companies" / "old.ttl").exists()


@pytest.mark.parametrize("breakage", ["unknown tag", "quote", "yaml", "utf8"])
def test_bad_input_exits_2_and_leaves_kg_untouched(make_project, breakage):
    project = make_project("acme", "voipcom")
    run(project, "build")
    before = snapshot(project.kg_dir)
    folder = project.corpus_dir / "acme"
    clauses = (folder / "clauses.yaml").read_text()
    if breakage == "unknown tag":
        (folder / "clauses.yaml").write_text(clauses.replace("LawEnforcement", "LawEnforcment"))
    elif breakage == "quote":
        (folder / "clauses.yaml").write_text(clauses.replace("by subpoena", "by a subpoena"))
    elif breakage == "yaml":
        (folder / "clauses.yaml").write_text(clauses + "\n  - id: [unclosed\n")
    else:
        (folder / "policy.txt").write_bytes(b"\xff\xfe" + (folder / "policy.txt").read_bytes())
    result = run(project, "build")
    assert result.exit_code == 2
    assert "nothing was written" in result.output and "acme" in result.output
    assert snapshot(project.kg_dir) == before


def test_stats_reports_the_built_graph(make_project):
    project = make_project("acme", "voipcom")
    run(project, "build")
    result = run(project, "stats")
    assert result.exit_code == 0, result.output
    acme_row = next(line for line in result.output.splitlines() if "Acme" in line)
    assert [cell.strip() for cell in acme_row.strip("│┃ ").split("│")][:3] == ["Acme", "2", "3"]
    assert "2 companies" in result.output
    assert "third-party sharing and collection" in result.output


def test_exports_parse_and_agree(make_project):
    from rdflib import Dataset, Graph

    project = make_project("acme", "voipcom")
    run(project, "build")
    merged = Graph().parse(project.kg_dir / "privacy-kg.ttl")
    parts = Graph().parse(project.kg_dir / "companies" / "acme.ttl") + Graph().parse(project.kg_dir / "companies" / "voipcom.ttl")
    assert len(merged) == len(parts) and set(merged) == set(parts)
    dataset = Dataset()
    dataset.parse(project.kg_dir / "privacy-kg.nq", format="nquads")
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert graphs == {f"https://w3id.org/privacy-kg/graph/{n}" for n in ("acme", "voipcom", "ontology", "class-hierarchy")}


def test_the_class_hierarchy_graph_is_what_owl_rl_entails(repo):
    """graph/class-hierarchy (so queries need no rdfs:subClassOf+ path) holds exactly the strict
    rdfs:subClassOf between named classes of the ontology's owlrl closure."""
    import owlrl
    from rdflib import OWL, RDFS, Graph, URIRef

    closed = Graph() + repo.vocabulary.graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    entailed = {(c, d) for c, d in closed.subject_objects(RDFS.subClassOf)
                if c != d and c in repo.vocabulary.classes and isinstance(d, URIRef) and d != OWL.Thing}
    hierarchy = set(repo.vocabulary.class_hierarchy().subject_objects(RDFS.subClassOf))
    assert hierarchy == entailed
    assert (PK.EmailAddress, PK.PersonalData) in hierarchy  # two steps up: not asserted


def test_an_inconsistent_graph_fails_the_build_and_leaves_kg_untouched(make_project):
    project = make_project("acme")
    run(project, "build")
    before = snapshot(project.kg_dir)
    with open(project.ontology_dir / "privacy-kg.ttl", "a", encoding="utf-8") as f:
        f.write("\npk:Sale owl:disjointWith pk:Disclosure .\n")  # now "sells" and "discloses" clash
    clauses = project.corpus_dir / "acme" / "clauses.yaml"
    clauses.write_text(clauses.read_text().replace("practice: Sale", "practice: [Sale, Disclosure]"))
    result = run(project, "build")
    assert result.exit_code == 1
    assert "inconsistent" in result.output and "no-sale" in result.output
    assert "Disjoint classes" in result.output and "pk:Sale" not in result.output.replace("ontology#Sale", "")
    assert snapshot(project.kg_dir) == before


def test_an_incremental_build_rebuilds_only_the_changed_company_and_equals_a_full_build(make_project):
    project = make_project("acme", "voipcom")
    assert run(project, "build").exit_code == 0
    clauses = project.corpus_dir / "acme" / "clauses.yaml"
    clauses.write_text(clauses.read_text().replace("note: the subpoena exception", "note: changed"))
    incremental = building.build(project)
    assert incremental.rebuilt == ["acme"]
    full = building.build(project, incremental=False)
    assert full.rebuilt == ["acme", "voipcom"]
    assert set(incremental.outputs.kept) == {"companies/voipcom.ttl", "inferred/voipcom.ttl"}  # not copied
    staged = incremental.outputs
    assert {rel: staged.source(rel).read_bytes() for rel in [*staged.paths, *staged.kept]} == dict(full.outputs)
    building.write(project, incremental)
    assert building.build(project).rebuilt == []
