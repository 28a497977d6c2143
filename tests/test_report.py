"""The report built from the seeds: its pages, and that what it shows agrees with the graph, the stored
queries' golden answers, kg/coverage.csv and the validation summary."""

from __future__ import annotations

import csv
import html
import json
import re
from urllib.parse import unquote

from privacy_kg import queries, report
from privacy_kg.project import Project
from conftest import COMPANIES, CURRENT, REPO, SEEDS
from report_support import element_text, links, page, seeds_report  # noqa: F401 (a fixture)


def expected(repo, name: str) -> list[dict]:
    return queries.read_expected(queries.find(repo.queries_dir, name)).rows


def test_one_page_per_company_policy_and_stored_query(seeds_report, repo):
    names = [q.name for q in queries.load_all(repo.queries_dir)]
    wanted = {"index.html", "queries/index.html", "ontology/index.html", "static/report.css", "compliance.html"}
    wanted |= {f"{kind}/{slug}.html" for kind in ("companies", "policies") for slug in COMPANIES}
    wanted |= {f"timelines/{slug}.html" for slug in CURRENT}  # the companies with earlier versions
    wanted |= {f"queries/{name}.html" for name in names}
    assert set(seeds_report.files) == wanted
    assert seeds_report.pages == len(wanted) - 1 and seeds_report.queries == len(names) >= 18
    for rel, data in seeds_report.files.items():
        assert (seeds_report.out / rel).read_bytes() == data, rel
    assert not seeds_report.problems


def test_the_matrix_has_every_company_and_its_silences_are_the_stored_querys(seeds_report, repo):
    index = page(seeds_report.out, "index.html")
    assert re.findall(r'<tr data-company="([^"]+)">', index) == [c.slug for c in seeds_report.data.companies]
    assert sorted(c.slug for c in seeds_report.data.companies) == COMPANIES
    cells = re.findall(r'<a class="cell" href="companies/[^"]+" aria-label="([^"]+)">', index)
    assert len(cells) == len(COMPANIES) * len(seeds_report.data.core_topics) == 100
    silent = {html.unescape(label).removesuffix(": silent") for label in cells if label.endswith(": silent")}
    assert silent == {f"{r['company']}, {r['topic']}" for r in expected(repo, "silent-topics")}


def test_the_heatmap_counts_are_kg_coverage_csv(seeds_report, repo):
    with open(repo.kg_dir / "coverage.csv", encoding="utf-8", newline="") as f:
        coverage = {row.pop("company"): {k: int(v) for k, v in row.items()} for row in csv.DictReader(f)}
    shown = {c.name: {t.label: len(c.practices_in(t)) for t in seeds_report.data.core_topics} for c in seeds_report.data.companies}
    assert shown == coverage
    index = page(seeds_report.out, "index.html")
    for name, counts in shown.items():
        for topic, n in counts.items():
            assert html.escape(f"{name}, {topic}: {n} practice") in index


def test_every_quote_link_lands_on_its_clause_in_the_policy_text(seeds_report):
    checked = 0
    for company in seeds_report.data.companies:
        company_page = page(seeds_report.out, f"companies/{company.slug}.html")
        policy_page = page(seeds_report.out, f"policies/{company.slug}.html")
        prefix = f"../policies/{company.slug}.html#clause-"
        targets = {unquote(h[len(prefix):]) for h in links(company_page) if h.startswith(prefix)}
        assert targets == {cid for p in company.practices for cid in p.clauses}
        for cid in targets:
            assert element_text(policy_page, f"clause-{cid}") == company.clauses[cid].quote, (company.slug, cid)
            checked += 1
        for practice in company.practices:  # each practice is on the page once with its anchor
            assert company_page.count(f'id="{practice.anchor}"') == 1
    assert checked == sum(len(c.clauses) for c in seeds_report.data.companies)  # every seed clause states a practice


def test_company_facts_agree_with_the_golden_answers(seeds_report, repo):
    ages = {r["company"]: set(str(r.get("ageLimits", "")).split(" | ")) - {""} for r in expected(repo, "children-age-limit")}
    laws = {}
    for r in expected(repo, "laws-cited"):
        laws.setdefault(r["company"], set()).add(r["law"])
    seals = {}
    for r in expected(repo, "privacy-seals"):
        seals.setdefault(r["company"], set()).add(r["seal"])
    for company in seeds_report.data.companies:
        facts = {f.property: {e.value.label for e in f.entries} for f in company.facts}
        assert facts["pk:hasAgeLimit"] == ages.get(company.name, set()), company.name
        assert facts["pk:citesLaw"] == laws.get(company.name, set()), company.name
        assert seals.get(company.name, set()) <= facts["pk:claimsSeal"], company.name


def test_company_pages_show_their_validation_warnings(seeds_report, repo):
    summary = json.loads((repo.kg_dir / "validation" / "summary.json").read_text(encoding="utf-8"))
    shown = 0
    for entry in summary["companies"]:
        company_page = page(seeds_report.out, f"companies/{entry['slug']}.html")
        for finding in entry["findings"]:
            assert finding["message"] in html.unescape(company_page)
            shown += 1
    assert shown >= len(COMPANIES)


def test_the_ontology_documentation_is_linked_and_self_contained(seeds_report):
    docs = page(seeds_report.out, "ontology/index.html")
    assert 'id="CollectionAndUse"' in docs
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', docs)
    index = page(seeds_report.out, "index.html")
    assert 'href="ontology/index.html#CollectionAndUse"' in index


def test_a_rebuild_is_byte_identical(seeds_report):
    files, *_ = report.render(Project(REPO))
    assert files == seeds_report.files


def test_the_compliance_page_is_linked_and_puts_no_seed_in_scope(seeds_report, repo):
    """The seeds (2004-2012) are in no profile's scope: the page has a section per profile whose rows are the
    companies in its scope (the five current policies for the GDPR, the three addressing the US for the CCPA);
    the overview and the navigation link to it."""
    summary = json.loads((repo.kg_dir / "validation" / "summary.json").read_text(encoding="utf-8"))
    compliance = page(seeds_report.out, "compliance.html")
    for profile in summary["profiles"]:
        assert f'id="profile-{profile["id"]}"' in compliance
    in_scope = {p["id"]: {c["slug"] for c in summary["companies"]
                          if set(c["compliance"].get(p["id"], {}).values()) - {"not in scope"}} for p in summary["profiles"]}
    assert in_scope == {"gdpr": set(CURRENT), "ccpa": {"bitwarden", "duckduckgo", "huggingface"}}
    rows = re.findall(r'<tr data-company="([^"]+)">', compliance)
    assert sorted(rows) == sorted(slug for slugs in in_scope.values() for slug in slugs)
    assert not set(rows) & set(SEEDS)
    index = page(seeds_report.out, "index.html")
    assert 'href="compliance.html"' in index
    assert 'href="../compliance.html"' in page(seeds_report.out, "companies/cloncom.html")  # the navigation


def test_the_compliance_matrix_shows_what_validate_wrote(make_project, tmp_path):
    from typer.testing import CliRunner

    from privacy_kg.cli import app

    project = make_project("acme", "lawco", "complyco")
    for command in ("build", "validate"):
        assert CliRunner().invoke(app, [command, "--root", str(project.root)]).exit_code in (0, 1)
    built = report.build(project, tmp_path / "site")
    compliance = page(built.out, "compliance.html")
    with open(project.kg_dir / "compliance.csv", encoding="utf-8", newline="") as f:
        rows = {row.pop("company"): list(row.values()) for row in csv.DictReader(f)}
    shown = {}
    for profile_id in ("gdpr", "ccpa"):
        table = compliance[compliance.index(f'data-profile="{profile_id}"'):]
        table = table[:table.index("</table>")]
        for slug, cells in re.findall(r'<tr data-company="([^"]+)">(.*?)</tr>', table, re.S):
            shown.setdefault(built.data.company(slug).name, []).extend(re.findall(r'<td class="s-[^"]+" data-item="[^"]+"[^>]*>([^<]*)</td>', cells))
    assert shown == {name: statuses for name, statuses in rows.items() if name != "Acme"}  # acme: in no scope
    assert 'Not in scope (no jurisdiction or cited law puts them in it): <a href="companies/acme.html">Acme</a>.' in compliance
