"""The report in headless Chromium (Debian's `chromium`, installed by .ci/install-chromium): the matrix
renders every company, a cell's link leads to the statements and a statement's link to its quote
highlighted in the policy text, a company with several versions of its policy links its timeline, where the
changed words are marked side by side, and the pages load without a console error. Skipped when Chromium is
absent, unless PRIVACY_KG_REQUIRE_CHROMIUM=1 (as in CI), which makes its absence a failure.
PRIVACY_KG_SCREENSHOT=path also saves the overview's screenshot there (docs/report.png is made so)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from chromium_support import Chromium, find_chromium
from report_support import seeds_report, versions_report  # noqa: F401 (fixtures)

REQUIRED = os.environ.get("PRIVACY_KG_REQUIRE_CHROMIUM") == "1"
MARK_TARGET = "rgb(255, 212, 59)"  # report.css: --mark-target


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_chromium()
    if executable is None:
        if REQUIRED:
            pytest.fail("PRIVACY_KG_REQUIRE_CHROMIUM=1 but no chromium on PATH: run .ci/install-chromium")
        pytest.skip("no chromium on PATH (install it with .ci/install-chromium; CI sets PRIVACY_KG_REQUIRE_CHROMIUM=1)")
    chromium = Chromium(executable, tmp_path_factory.mktemp("chromium") / "profile")
    yield chromium
    chromium.close()


def test_the_matrix_links_to_the_highlighted_quote_without_console_errors(browser, seeds_report, tmp_path):
    site, data = seeds_report.out, seeds_report.data
    browser.goto((site / "index.html").as_uri())
    rows = browser.evaluate("[...document.querySelectorAll('table.matrix tbody tr')].map(r => [r.dataset.company, r.querySelectorAll('td a.cell').length])")
    assert rows == [[c.slug, len(data.core_topics)] for c in data.companies]

    company = next(c for c in data.companies if c.slug == "cloncom")
    topic = next(t for t in data.core_topics if t.local == "ThirdPartySharingAndCollection")
    browser.click(f'tr[data-company="cloncom"] a.cell[href$="#topic-{topic.local}"]')
    assert browser.evaluate("location.pathname").endswith("/companies/cloncom.html")
    assert browser.evaluate("location.hash") == f"#topic-{topic.local}"
    shown = browser.evaluate("document.querySelectorAll('section.topic:target article.practice').length")
    assert shown == len(company.practices_in(topic)) > 0

    clause = company.clauses[company.practices_in(topic)[0].clauses[0]]
    assert browser.evaluate("document.querySelector('section.topic:target blockquote').textContent") == clause.quote
    browser.click("section.topic:target a.in-policy")
    assert browser.evaluate("location.hash") == f"#clause-{clause.id}"
    target = browser.evaluate("(() => { const t = document.querySelector(':target'); return t && [t.tagName, t.textContent, getComputedStyle(t).backgroundColor]; })()")
    assert target == ["MARK", clause.quote, MARK_TARGET]
    in_view = browser.evaluate("(() => { const r = document.querySelector(':target').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()")
    assert in_view

    a_query = min(rel for rel in seeds_report.files if rel.startswith("queries/") and rel != "queries/index.html")
    for rel in ("ontology/index.html", "queries/index.html", a_query, "compliance.html"):
        browser.goto((site / rel).as_uri())
    assert browser.errors == [], json.dumps(browser.errors, indent=1)


def test_a_screenshot_of_the_overview(browser, seeds_report, tmp_path):
    browser.goto((seeds_report.out / "index.html").as_uri())
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.startswith(b"\x89PNG\r\n\x1a\n") and len(shot) > 20_000
    width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
    assert (width, height) == (1280, 900)
    assert browser.errors == []
    if os.environ.get("PRIVACY_KG_SCREENSHOT"):
        shutil.copyfile(tmp_path / "report.png", os.environ["PRIVACY_KG_SCREENSHOT"])


def test_the_company_page_leads_to_the_timeline_with_the_changed_words_marked_side_by_side(browser, versions_report):
    site = versions_report.out
    browser.goto((site / "companies" / "changeco.html").as_uri())
    browser.click("a.timeline")
    assert browser.evaluate("location.pathname").endswith("/timelines/changeco.html")
    retention = 'section#change-2021-06-15 article[data-change="changed"][data-clause="retention"]'
    marks = browser.evaluate(f"""[...document.querySelectorAll('{retention} blockquote :is(del, ins)')].map(e => {{
        const s = getComputedStyle(e); return [e.tagName, e.textContent, s.backgroundColor, s.textDecorationLine]; }})""")
    assert marks == [["DEL", "30", "rgb(251, 225, 212)", "line-through"], ["INS", "90", "rgb(215, 242, 227)", "underline"]]
    old, new = browser.evaluate(f"""[...document.querySelectorAll('{retention} figure.side')].map(f => {{
        const r = f.getBoundingClientRect(); return [r.left, r.right, r.top]; }})""")
    assert old[1] <= new[0] and old[2] == new[2]  # side by side: the earlier quote left of the later one
    browser.evaluate("document.querySelector('table.versions a[href=\"#change-2021-06-15\"]').click()")
    assert browser.evaluate("location.hash") == "#change-2021-06-15"
    assert browser.evaluate("document.querySelector(':target').id") == "change-2021-06-15"
    assert browser.errors == [], json.dumps(browser.errors, indent=1)
