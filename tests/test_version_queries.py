"""The stored queries about change, on the changeco fixture (three versions: practices added, removed,
changed and reversed; a retention period, an age limit, a legal basis and a notice period change), on
Oxigraph and rdflib alike; and `query --as-of`, which runs the other stored queries on the versions in force
on a day."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from typer.testing import CliRunner

from privacy_kg import queries, version_views
from privacy_kg.build import history_files, quad_files
from privacy_kg.cli import app
from privacy_kg.store import open_store
from conftest import REPO

runner = CliRunner()
V1, V2, CURRENT = "2019-03-01", "2021-06-15", "2023-09-01"
PRACTICE_DESCRIPTION = {
    "usage-sharing": "has actor: Changeco | has data type: online activity | has modality: does | has purpose: analytics and research | has recipient: service provider | practice: disclosure",
    "no-usage-sharing": "has actor: Changeco | has data type: online activity | has modality: does not | has purpose: analytics and research | has recipient: service provider | practice: disclosure",
    "cookies": "has actor: Changeco | has data type: cookie | has modality: does | has purpose: analytics and research | practice: tracking",
    "no-ad-sharing": "has actor: Changeco | has data type: personal data | has modality: does not | has recipient: advertiser | practice: disclosure",
    "ad-sharing": "has actor: Changeco | has data type: email address | has modality: does | has purpose: advertising | has recipient: advertising company | practice: disclosure",
}
QUOTES = {
    "cookies": "We use cookies to measure how our site is used.",
    "usage-sharing": "We share information about how you use the site with analytics providers.",
    "no-usage-sharing": "We do not share information about how you use the site with analytics providers.",
    "no-ad-sharing": "We do not share your personal information with advertisers.",
    "ad-sharing": "We share your email address with advertising partners to show you relevant ads.",
    "account-data-2": "We collect your name, email address and phone number when you create an account, with your consent.",
    "account-data-3": "We collect your name, email address and phone number when you create an account, in our legitimate interests.",
    "children": "Our service is not directed to children under 16.",
    "retention": "We keep your account data for 90 days after you close your account.",
    "policy-change-3": "We may change this policy at any time and will post the new version on this page 7 days before it takes effect.",
}
PROMISE = "We will notify you by email at least 30 days before any material change to this policy takes effect."
D = PRACTICE_DESCRIPTION
EXPECTED = {
    "version-practice-changes": {
        ("Changeco", V1, V2, "added", "cookies", "tracking", "", D["cookies"], "false", "false", QUOTES["cookies"]),
        ("Changeco", V1, V2, "added", "no-usage-sharing", "disclosure", "", D["no-usage-sharing"], "false", "false", QUOTES["no-usage-sharing"]),
        ("Changeco", V1, V2, "removed", "usage-sharing", "disclosure", D["usage-sharing"], "", "false", "false", QUOTES["usage-sharing"]),
        ("Changeco", V1, V2, "changed", "account-data", "collection", "", "has data type: telephone number | has legal basis: consent",
         "false", "false", QUOTES["account-data-2"]),
        ("Changeco", V1, V2, "changed", "children", "audience rule", "has age limit: 13", "has age limit: 16", "false", "false", QUOTES["children"]),
        # the 2021 retention clause is proposed (as carry leaves an edited clause)
        ("Changeco", V1, V2, "changed", "retention", "retention", "has retention period: P30D", "has retention period: P90D",
         "true", "false", QUOTES["retention"]),
        ("Changeco", V2, CURRENT, "added", "ad-sharing", "disclosure", "", D["ad-sharing"], "false", "false", QUOTES["ad-sharing"]),
        ("Changeco", V2, CURRENT, "removed", "cookies", "tracking", D["cookies"], "", "false", "false", QUOTES["cookies"]),
        ("Changeco", V2, CURRENT, "removed", "no-ad-sharing", "disclosure", D["no-ad-sharing"], "", "false", "false", QUOTES["no-ad-sharing"]),
        ("Changeco", V2, CURRENT, "changed", "account-data", "collection", "has legal basis: consent",
         "has legal basis: legitimate interests of the company", "false", "false", QUOTES["account-data-3"]),
        ("Changeco", V2, CURRENT, "changed", "policy-change", "policy change notice",
         "has notice period: P30D | has notification type: e-mail notice",
         "has notice period: P7D | has notification type: notice on the website", "false", "false", QUOTES["policy-change-3"]),
        # the retention clause lost its `proposed` flag only (reviewed): no change of the statement
    },
    "version-modality-reversals": {
        # the same sharing, first affirmed then denied
        ("Changeco", V1, V2, "does → does not", "no-usage-sharing", "usage-sharing", "online activity", "online activity",
         "equal", "service provider", "service provider", "equal", "analytics and research", "analytics and research"),
        # not a reversal: 2021's denial of sharing with advertisers, which covers 2019's sharing with service
        # providers that serve ads (pk:AdServer is both), was already in 2019 (a standing contradiction)
        ("Changeco", V2, CURRENT, "does not → does", "no-ad-sharing", "ad-sharing", "personal data", "email address",
         "narrower", "advertiser", "advertising company", "narrower", "", "advertising"),
    },
    "version-value-changes": {
        ("Changeco", V1, V2, "account-data", "legal basis", "", "consent", "false"),
        ("Changeco", V1, V2, "children", "age limit", "13", "16", "false"),
        ("Changeco", V1, V2, "retention", "retention period", "P30D", "P90D", "true"),
        ("Changeco", V2, CURRENT, "account-data", "legal basis", "consent", "legitimate interests of the company", "false"),
        ("Changeco", V2, CURRENT, "policy-change", "notice period", "P30D", "P7D", "false"),
        ("Changeco", V2, CURRENT, "policy-change", "notification type", "e-mail notice", "notice on the website", "false"),
    },
    "version-timeline": {
        ("Changeco", V1, "2019-03-01", "", "6", "", "", "", "false"),
        ("Changeco", V2, "2021-06-10", V1, "7", "2", "1", "3", "false"),
        ("Changeco", CURRENT, "2023-08-20", V2, "6", "1", "2", "2", "false"),
        ("Cloncom", "2009-04-26", "2007-05-01", "", "86", "", "", "", "false"),  # one version: nothing to compare
    },
    "policy-change-promises": {
        ("Changeco", V1, V2, "2021-06-10", "policy-change", "does", "P30D", "e-mail notice", PROMISE),
        ("Changeco", V2, CURRENT, "2023-08-20", "policy-change", "does", "P30D", "e-mail notice", PROMISE),
    },
}
HISTORY_QUERIES = sorted(EXPECTED)


def cells(result: queries.Result) -> set[tuple[str, ...]]:
    return {tuple(queries.cell_text(row.get(v, "")) for v in result.variables) for row in result.rows}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    import shutil
    from privacy_kg.project import Project
    root = tmp_path_factory.mktemp("versions") / "project"
    for folder in ("ontology", "mappings", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    for name, source in (("changeco", REPO / "tests" / "fixtures" / "corpus" / "changeco"),
                         ("cloncom", REPO / "corpus" / "cloncom"),
                         ("crystalcall", REPO / "corpus" / "crystalcall")):  # dated, and undated: no version node
        shutil.copytree(source, root / "corpus" / name)
    project = Project(root)
    assert runner.invoke(app, ["build", "--root", str(root)]).exit_code == 0
    return project


@pytest.fixture(scope="module")
def store(project):
    return open_store(project.kg_dir, history=True)


@pytest.fixture(scope="module")
def dataset(project):
    dataset = Dataset()
    for path in quad_files(project.kg_dir) + history_files(project.kg_dir):
        dataset.parse(path, format="nquads")
    return dataset


def test_the_change_queries_declare_they_need_the_history():
    stored = {q.name: q for q in queries.load_all(REPO / "queries")}
    assert {name for name, q in stored.items() if q.history} == set(HISTORY_QUERIES)


@pytest.mark.parametrize("name", HISTORY_QUERIES)
def test_change_queries_answer_on_the_fixture_on_oxigraph_and_rdflib(name, store, dataset):
    query = queries.find(REPO / "queries", name)
    for result in (queries.run_embedded(store, query), queries.run_rdflib(dataset, query)):
        assert cells(result) == EXPECTED[name], name


@pytest.mark.parametrize("name", HISTORY_QUERIES)
def test_change_queries_find_no_change_without_earlier_versions(name, project):
    """Without kg/history/ loaded, a query over versions sees current versions only: no pairs to compare."""
    query = queries.find(REPO / "queries", name)
    result = queries.run_embedded(open_store(project.kg_dir), query)
    if name == "version-timeline":
        assert cells(result) == {("Changeco", CURRENT, "2023-08-20", "", "6", "", "", "", "false"),
                                 ("Cloncom", "2009-04-26", "2007-05-01", "", "86", "", "", "", "false")}
    else:
        assert result.rows == []


def test_the_other_stored_queries_keep_their_answers_when_the_history_is_loaded(project, store):
    """With earlier versions in the store, a query that does not ask for them reads the current graphs."""
    plain = open_store(project.kg_dir)
    current = version_views.current_graphs(store)
    assert {g.value for g in current} == {g.value for g in plain.named_graphs()}
    for query in queries.load_all(REPO / "queries"):
        if not query.history and query.name != "contradictions":  # (covered by tests/test_contradictions.py)
            assert cells(queries.run_embedded(store, query, named_graphs=current)) == cells(queries.run_embedded(plain, query)), query.name
    # without the view, the version graphs would leak into an existing query
    notice = queries.find(REPO / "queries", "policy-change-notice")
    assert len(cells(queries.run_embedded(store, notice))) > len(cells(queries.run_embedded(plain, notice)))


NOTICE_AS_OF = {
    "2019-02-28": set(),  # nothing recorded yet
    V1: {("Changeco", "policy-change", "P30D", "e-mail notice")},  # the day a version is recorded, it is in force
    "2021-06-14": {("Changeco", "policy-change", "P30D", "e-mail notice")},
    V2: {("Changeco", "policy-change", "P30D", "e-mail notice")},
    CURRENT: {("Changeco", "policy-change", "P7D", "notice on the website")},
    "2030-01-01": {("Changeco", "policy-change", "P7D", "notice on the website")},
}


@pytest.mark.parametrize("day", sorted(NOTICE_AS_OF))
def test_as_of_runs_a_stored_query_on_the_versions_in_force_that_day(day, project, store):
    result = runner.invoke(app, ["query", "policy-change-notice", "--as-of", day, "-f", "csv", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    rows = {tuple(line.split(",")) for line in result.stdout.splitlines()[1:]}
    cloncom = {r for r in rows if r[0] == "Cloncom"}
    assert rows - cloncom == NOTICE_AS_OF[day]
    assert bool(cloncom) == (day >= "2009-04-26")  # its only version, recorded in 2009
    view = version_views.as_of(store, day)
    assert "crystalcall" in view.undated and "crystalcall" not in view.in_force
    assert "left out, no recorded date (archived_on): crystalcall" in result.stderr
    # rdflib agrees on a dataset that holds only the graphs of the view
    dataset = Dataset()
    wanted = {g.value for g in view.graphs}
    for path in quad_files(project.kg_dir) + history_files(project.kg_dir):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            if quad.graph_name.value in wanted:
                dataset.graph(quad.graph_name.value).parse(data=str(quad.triple) + " .", format="nt")
    query = queries.find(REPO / "queries", "policy-change-notice")
    assert cells(queries.run_rdflib(dataset, query)) == cells(queries.run_embedded(store, query, named_graphs=view.graphs))


def test_as_of_picks_the_latest_version_recorded_on_or_before_the_day(store):
    assert version_views.as_of(store, "2022-01-01").in_force == {"changeco": V2, "cloncom": "2009-04-26"}
    assert version_views.as_of(store, "2019-03-01").in_force == {"changeco": V1, "cloncom": "2009-04-26"}
    early = version_views.as_of(store, "2000-01-01")
    assert early.in_force == {} and early.not_yet == ["changeco", "cloncom"]
    names = {g.value for g in version_views.as_of(store, "2022-01-01").graphs}
    assert names == {"https://w3id.org/privacy-kg/graph/changeco/version/2021-06-15", "https://w3id.org/privacy-kg/graph/cloncom",
                     "https://w3id.org/privacy-kg/graph/ontology", "https://w3id.org/privacy-kg/graph/class-hierarchy"}


@pytest.mark.parametrize("args, message", [
    (["policy-change-notice", "--as-of", "2021-02-30"], "--as-of takes a day as YYYY-MM-DD"),
    (["policy-change-notice", "--as-of", "June 2021"], "--as-of takes a day as YYYY-MM-DD"),
    (["version-timeline", "--as-of", "2021-01-01"], "version-timeline compares the versions"),
    (["--all", "--check", "--as-of", "2021-01-01"], "--check compares with the golden answers"),
    (["policy-change-notice", "--as-of", "2021-01-01", "--endpoint", "http://127.0.0.1:9/sparql"], "--as-of runs on the embedded store"),
])
def test_as_of_refuses_what_it_cannot_answer(args, message, project):
    result = runner.invoke(app, ["query", *args, "--root", str(project.root)])
    assert result.exit_code == 2
    assert message in result.output


def test_all_as_of_leaves_out_the_queries_that_compare_versions(project):
    result = runner.invoke(app, ["query", "--all", "--as-of", "2022-01-01", "-f", "csv", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    assert "--as-of: left out the queries that compare versions: policy-change-promises, version-modality-reversals" in result.stderr
    assert "Changeco,2019-03-01" not in result.stdout  # no timeline


def test_an_unknown_need_is_a_header_error(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# title: t\n# question: q\n# needs: history future\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(queries.QueryError, match="unknown `# needs:` future"):
        queries.parse(path)
    assert queries.declares_history("# needs: history\nSELECT * WHERE { ?s ?p ?o }")
    assert not queries.declares_history("SELECT * WHERE { ?s ?p ?o }\n# needs: history")
