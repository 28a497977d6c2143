"""The current-law stored queries (GDPR, CCPA and US state laws) on a fixture corpus: lawco (an EU policy),
statesco (a US one) and, for the queries that compare eras, three seeds of 2004-2012 (Clickatell, dated by
its archive; Clean Minutes, by its copyright notice; CrystalCall, undated). The seeds predate the GDPR, so
these queries answer little on kg/; here each has a golden answer (tests/fixtures/law-answers/<name>.csv,
written from the fixture texts) that Oxigraph, rdflib and Virtuoso must all return, compared by value as
`query --check` compares."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from privacy_kg import queries, servers
from privacy_kg.cli import app
from privacy_kg.store import open_store
from conftest import FIXTURES, REPO, export_dataset, new_project
from store_helpers import cli, require_virtuoso

ANSWERS = FIXTURES / "law-answers"
LAW_QUERIES = sorted(p.stem for p in ANSWERS.glob("*.csv"))
COMPANIES = ("lawco", "statesco", "clickatell", "cleanminutes", "crystalcall")

# Rows each answer must not hold (a column subset each): denials a query must leave out, and statements
# beside the question that a looser pattern would catch. The golden answers exclude them too; these say why.
MUST_NOT = {
    "legitimate-interests": [{"clause": "fraud"}],  # legitimate interests, but for fraud prevention
    "opt-out-signals": [{"clause": "no-dnt"}],  # Do Not Track is not an opt-out preference signal
    "encryption-claims": [{"clause": "backups", "measure": "secure data storage"}],  # encrypted, not end to end
    "law-enforcement-by-era": [{"era": "since the GDPR", "condition": ""}],  # Lawco's denial (no condition)
    "sensitive-data": [{"data": "precise location"}],  # stated beside sensitive personal information, not one
    "consent-withdrawal": [{"purpose": "fraud prevention"}],  # legitimate interests, not consent
    "ccpa-sale-sharing": [{"optOuts": "Global Privacy Control", "company": "Statesco"}],  # it denies honouring GPC
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = new_project(tmp_path_factory.mktemp("law") / "project", *COMPANIES)
    result = CliRunner().invoke(app, ["build", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture(scope="module")
def oxigraph(project):
    return open_store(project.kg_dir)


@pytest.fixture(scope="module")
def rdflib_dataset(project):
    return export_dataset(project.kg_dir)


def golden(name: str) -> tuple[queries.StoredQuery, queries.Result]:
    query = queries.find(REPO / "queries", name)
    return query, queries.read_expected(query, ANSWERS / f"{name}.csv")


def test_every_current_law_query_has_a_meaningful_fixture_answer():
    assert len(LAW_QUERIES) >= 17  # 16 new current-law questions, and laws-cited, which now names jurisdictions
    assert all(golden(name)[1].rows for name in LAW_QUERIES)


@pytest.mark.parametrize("name", LAW_QUERIES)
def test_oxigraph_and_rdflib_give_the_golden_answer(name, oxigraph, rdflib_dataset):
    query, expected = golden(name)
    for engine, got in (("oxigraph", queries.run_embedded(oxigraph, query)), ("rdflib", queries.run_rdflib(rdflib_dataset, query))):
        assert got.variables == expected.variables, engine
        missing, unexpected = queries.differences(got, expected)
        assert not missing and not unexpected, f"{engine}: missing {missing}, unexpected {unexpected}"


@pytest.mark.parametrize("name", sorted(MUST_NOT))
def test_rows_beside_the_question_are_left_out(name, oxigraph):
    query = queries.find(REPO / "queries", name)
    got = queries.run_embedded(oxigraph, query)
    assert got.rows
    for excluded in MUST_NOT[name]:
        assert set(excluded) <= set(got.variables), (name, excluded)
        assert not [row for row in got.rows if matches(row, excluded, query.lists)], (name, excluded)


def matches(row: dict, wanted: dict[str, str], lists: set[str]) -> bool:
    """Whether a row has each wanted value ("" = unbound or empty); in a list column, as one of its items."""
    for key, value in wanted.items():
        cell = queries.cell_text(row.get(key, ""))
        if key in lists and value:
            if value not in cell.split(queries.LIST_SEPARATOR):
                return False
        elif cell != value:
            return False
    return True


@pytest.fixture(scope="module")
def virtuoso(project):
    require_virtuoso()
    with servers.start_virtuoso() as server:
        env = {"PRIVACY_KG_USER": servers.VIRTUOSO_USER, "PRIVACY_KG_PASSWORD": servers.VIRTUOSO_PASSWORD}
        result = cli("load", "--endpoint", server.query_url, "--root", str(project.root), env=env)
        assert result.exit_code == 0, result.output
        yield server


@pytest.mark.parametrize("name", LAW_QUERIES)
def test_virtuoso_gives_the_golden_answer(name, virtuoso):
    query, expected = golden(name)
    got = queries.run_endpoint(virtuoso.query_url, query)
    missing, unexpected = queries.differences(got, expected)
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}"


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
