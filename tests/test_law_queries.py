"""The current-law stored queries on the lawco fixture (the seeds predate the GDPR: their golden answers are
empty), on Oxigraph and rdflib alike."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from typer.testing import CliRunner

from privacy_kg.cli import app
from privacy_kg import queries
from conftest import REPO, export_dataset

EXPECTED = {
    "legal-basis-per-purpose": {
        ("Lawco", "analytics and research", "consent"),
        ("Lawco", "direct marketing", "legitimate interests of the company"),
    },
    "transfers": {
        ("Lawco", "United States", "EU-U.S. Data Privacy Framework"),
        ("Lawco", "United States", "standard contractual clauses"),
    },
    # read from the fixture's clauses: in scope of both profiles by the laws it cites
    "regulatory-silence": {
        ("Lawco", "GDPR Art. 13/14", "the recipients or categories of recipients", "GDPR Art. 13(1)(e)"),
        ("Lawco", "GDPR Art. 13/14", "the right to restriction of processing", "GDPR Art. 18"),
        ("Lawco", "GDPR Art. 13/14", "the right to withdraw consent", "GDPR Art. 7(3), Art. 13(2)(c)"),
        ("Lawco", "GDPR Art. 13/14", "whether providing the data is a requirement, and the consequences of not providing it", "GDPR Art. 13(2)(e)"),
        ("Lawco", "GDPR Art. 13/14", "automated decision-making, profiling included", "GDPR Art. 22, Art. 13(2)(f)"),
        ("Lawco", "CCPA/CPRA", "the categories of sources of personal information", "CCPA §1798.130(a)(5)(B)(ii)"),
        ("Lawco", "CCPA/CPRA", "the right to know", "CCPA §§1798.100, 1798.110, 1798.115"),
        ("Lawco", "CCPA/CPRA", "the right to delete", "CCPA §1798.105"),
        ("Lawco", "CCPA/CPRA", "the right to correct", "CCPA §1798.106"),
        ("Lawco", "CCPA/CPRA", "the right to limit the use of sensitive personal information, or that none is collected", "CCPA §1798.121"),
        ("Lawco", "CCPA/CPRA", "the right to non-discrimination", "CCPA §1798.125"),
    },
}


@pytest.fixture
def lawco_kg(make_project):
    project = make_project("lawco")
    assert CliRunner().invoke(app, ["build", "--root", str(project.root)]).exit_code == 0
    return project.kg_dir


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_current_law_queries_answer_on_the_fixture(name, lawco_kg):
    query = queries.find(REPO / "queries", name)
    store = ox.Store()
    for path in sorted((lawco_kg / "quads").glob("*.nq")):
        store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    for result in (queries.run_embedded(store, query), queries.run_rdflib(export_dataset(lawco_kg), query)):
        assert {tuple(str(row.get(v, "")) for v in result.variables) for row in result.rows} == EXPECTED[name]


def test_regulatory_silence_lists_exactly_the_profile_warnings(make_project):
    """The stored query and the SHACL shapes run the same patterns: on lawco, complyco (silent on nothing) and
    a partial copy of complyco (silent on items of both profiles, a stale date), the query's rows are the
    profile warnings of `validate`, on Oxigraph and rdflib alike."""
    import yaml

    from privacy_kg.validate import validate

    project = make_project("lawco", "complyco", "acme")
    partial = project.corpus_dir / "partialco"
    shutil.copytree(project.corpus_dir / "complyco", partial)
    clauses = yaml.safe_load((partial / "clauses.yaml").read_text())
    dropped = {"gpc", "no-sale", "rights-eu", "retention", "provision", "referral"}
    clauses["clauses"] = [c for c in clauses["clauses"] if c["id"] not in dropped]
    (partial / "clauses.yaml").write_text(yaml.safe_dump(clauses, sort_keys=False))
    metadata = (partial / "metadata.yaml").read_text().replace("name: Complyco", "name: Partialco")
    (partial / "metadata.yaml").write_text(metadata.replace("last_updated: 2025-11-15", "last_updated: 2024-06-30"))
    assert CliRunner().invoke(app, ["build", "--root", str(project.root)]).exit_code == 0
    warned = {(c.name, f.message) for c in validate(project, whole=False).companies for f in c.findings if f.profile}
    assert {name for name, _ in warned} == {"Lawco", "Partialco"} and len(warned) > 20
    query = queries.find(REPO / "queries", "regulatory-silence")
    store = ox.Store()
    for path in sorted((project.kg_dir / "quads").glob("*.nq")):
        store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    for result in (queries.run_embedded(store, query), queries.run_rdflib(export_dataset(project.kg_dir), query)):
        assert {(r["company"], f"silent on {r['item']} ({r['article']})") for r in result.rows} == warned
