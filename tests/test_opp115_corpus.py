"""The real OPP-115 corpus (../shared/opp115, or $PRIVACY_KG_OPP115): every policy imports, its practices per
category and per (category, modality) are those of its CSV, the graphs pass the structural shapes (only
completeness warnings), and the stored queries run over seeds + OPP-115, six of them checked against
answers computed straight from the CSVs. Skips when the corpus is absent, unless
PRIVACY_KG_REQUIRE_OPP115=1 (CI)."""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import REPO
from opp115_support import CATEGORY_OF_TOPIC, csv_counts, graph_counts, opp115_path  # noqa: F401  (a fixture)
from privacy_kg import queries
from privacy_kg.build import COMPANIES_DIR
from privacy_kg.namespaces import PK
from privacy_kg.opp115 import importer
from privacy_kg.opp115.reader import policy_files, read_folder
from privacy_kg.store import open_store
from privacy_kg.validate import validate_company

WORKERS = os.cpu_count() or 1
THIRD_PARTIES = {"Unnamed third party", "Named third party", "Other part of company/affiliate", "Other"}


# -- straight from the CSVs ---------------------------------------------------------------------------

def practices(csv_path: Path) -> list[tuple[int, str, dict[str, str]]]:
    """(segment, category, attribute -> value) of every row."""
    with open(csv_path, encoding="utf-8", newline="") as f:
        return [(int(r[4]), r[5], {k: v["value"] for k, v in json.loads(r[6]).items()}) for r in csv.reader(f)]


def topic_of(category: str, values: dict[str, str]) -> str:
    if category == "Other":
        return "PrivacyContact" if values.get("Other Type") == "Privacy contact information" else "OtherPractice"
    return next(t for t, c in CATEGORY_OF_TOPIC.items() if c == category)


def companies_where(corpus: dict[str, list], test) -> set[str]:
    return {name for name, rows in corpus.items() if any(test(*row) for row in rows)}


# -- fixtures -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(opp115_path) -> dict[str, list]:
    """Company name (site name from the documentation) -> its consolidated practices."""
    with open(opp115_path / "documentation" / "websites_opp115.csv", encoding="utf-8", newline="") as f:
        names = {r[3]: r[2] for r in list(csv.reader(f))[1:]}
    found = {}
    for html in policy_files(opp115_path):
        uid = html.stem.split("_", 1)[0]
        found[names[uid]] = practices(opp115_path / "consolidation" / f"{html.stem}.csv")
    assert len(found) == len(policy_files(opp115_path)), "site names must tell the companies apart"
    return found


@pytest.fixture(scope="module")
def imported(opp115_path, repo, tmp_path_factory):
    """The whole corpus imported (reasoning included) and written to a temporary folder."""
    out = tmp_path_factory.mktemp("opp115")
    with ProcessPoolExecutor(WORKERS) as pool:
        result = importer.import_folder(opp115_path, repo, executor=pool)
    importer.write(out, result)
    return result, out


@pytest.fixture(scope="module")
def store(imported) -> ox.Store:
    """Seeds (kg/) and OPP-115 together in the embedded store."""
    _, out = imported
    return open_store(REPO / "kg", extra=[out])


def run(store, name: str) -> list[dict]:
    return queries.run_embedded(store, queries.find(REPO / "queries", name)).rows


# -- checks ---------------------------------------------------------------------------------------------

def test_every_policy_has_the_practices_of_its_csv_per_category_and_modality(opp115_path, repo):
    settings = importer.Settings(opp115_path.resolve(), repo.ontology_dir, repo.mappings_dir)
    policies = list(read_folder(opp115_path))
    assert len(policies) == len(policy_files(opp115_path)) >= 75
    for policy in policies:
        assert not policy.problems, policy.problems
        result = importer.adapt(policy, settings)
        assert not result.problems, result.problems
        expected = csv_counts(opp115_path / "consolidation" / f"{policy.name}.csv")
        assert graph_counts(result.graph, repo.vocabulary) == expected, policy.name


def test_the_report_counts_every_erratum(imported, opp115_path):
    result, out = imported
    report = json.loads((out / importer.REPORT_FILE).read_text())
    assert report["policies"] == len(policy_files(opp115_path))
    assert report["totals"]["practices"] == report["totals"]["annotations"] > 10000
    assert report["errata"]["total"] == len(report["errata_details"]) > 0
    counted = sum(sum(p.errata.values()) for p in read_folder(opp115_path))
    assert report["errata"]["total"] == counted
    for figure in ("clauses", "practices", "triples"):
        spread = report["per_policy"][figure]
        assert 0 < spread["min"] <= spread["median"] <= spread["max"]


def test_the_imported_graphs_pass_the_structural_shapes(imported, repo):
    result, out = imported
    slugs = [p.slug for p in result.policies]
    with ProcessPoolExecutor(WORKERS) as pool:
        validations = list(pool.map(validate_company, slugs, [out] * len(slugs), [repo.ontology_dir] * len(slugs)))
    assert not [v.slug for v in validations if v.inconsistencies]
    findings = [f for v in validations for f in v.findings]
    violations = [f"{f.company}: {f.message} ({f.focus})" for f in findings if f.severity == "Violation"]
    assert not violations, "\n".join(violations[:20])
    warnings = {f.message for f in findings if f.severity == "Warning"}
    assert warnings and all(w.startswith("silent on ") for w in warnings)  # real policies are sometimes silent


def test_every_stored_query_runs_across_seeds_and_opp115(store, imported):
    seeds = len(list((REPO / "kg" / COMPANIES_DIR).glob("*.ttl")))
    stored = queries.load_all(REPO / "queries")
    assert len(stored) >= 25
    for query in stored:
        queries.run_embedded(store, query)  # raises on any error
    companies = {row["company"] for row in run(store, "practices-by-topic")}
    assert len(companies) == seeds + len(imported[0].policies)


def test_do_not_track_answers_match_the_csv(store, corpus):
    got = {(r["company"], r["clause"]) for r in run(store, "do-not-track") if r["company"] in corpus}
    expected = {(name, f"segment-{seg}") for name, rows in corpus.items() for seg, cat, _ in rows if cat == "Do Not Track"}
    assert got == expected and len({c for c, _ in got}) >= 5


def test_practices_by_topic_match_the_csv(store, corpus, repo):
    got = {(r["company"], r["topic"], r["modality"]): r["practices"] for r in run(store, "practices-by-topic") if r["company"] in corpus}
    expected = defaultdict(int)
    for name, rows in corpus.items():
        for _, category, values in rows:
            modality = "does not" if values.get("Does/Does Not") == "Does Not" else "does"
            expected[name, repo.vocabulary.label(PK[topic_of(category, values)]), modality] += 1
    assert got == dict(expected)


def test_silent_topics_match_the_csv(store, corpus, repo):
    core = {repo.vocabulary.label(t) for t in repo.vocabulary.core_topics}
    got = {(r["company"], r["topic"]) for r in run(store, "silent-topics") if r["company"] in corpus}
    expected = {(name, topic) for name, rows in corpus.items()
                for topic in core - {repo.vocabulary.label(PK[topic_of(c, v)]) for _, c, v in rows}}
    assert got == expected and got


def test_privacy_contact_answers_match_the_csv(store, corpus):
    got = {r["company"] for r in run(store, "privacy-contact") if r["company"] in corpus and r["kind"] == "privacy contact point"}
    assert got == companies_where(corpus, lambda s, c, v: v.get("Other Type") == "Privacy contact information")


def test_security_measure_answers_match_the_csv(store, corpus):
    got = {r["company"] for r in run(store, "security-measures") if r["company"] in corpus}
    assert got == companies_where(corpus, lambda s, c, v: c == "Data Security" and v["Security Measure"] != "Unspecified")


def test_sharing_with_third_parties_for_advertising_matches_the_csv(store, corpus):
    got = {r["company"] for r in run(store, "third-party-sharing") if r["company"] in corpus and "advertising" in r.get("purposes", "").split(" | ")}
    expected = companies_where(corpus, lambda s, c, v: (
        c == "Third Party Sharing/Collection" and v.get("Does/Does Not") != "Does Not"
        and v["Action Third Party"] == "Receive/Shared with" and v["Third Party Entity"] in THIRD_PARTIES
        and v["Personal Information Type"] != "Unspecified" and v["Purpose"] == "Advertising"))
    assert got == expected and len(got) >= 5
