"""The current-law stored queries on the lawco fixture (the seeds predate the GDPR: their golden answers are
empty), on Oxigraph and rdflib alike."""

from __future__ import annotations

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
