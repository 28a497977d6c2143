"""The timeline page of a company with several versions of its policy (tests/fixtures/corpus/changeco:
2019-03-01, 2021-06-15 and 2023-09-01, hand-written so that statements are added, removed and changed), and
its link from the company page. The expected words below are read off the fixture's clauses.yaml files."""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath

from privacy_kg import report
from privacy_kg.project import Project
from privacy_kg.report import timeline
from privacy_kg.report.timeline import Words
from privacy_kg.store import open_store
from report_support import element_text, links, page, versions_report  # noqa: F401 (a fixture)

TIMELINE = "timelines/changeco.html"


def entry(site, change: str, kind: str, clause: str) -> str:
    """The HTML of one listed clause of a change section."""
    found = re.search(rf'<section class="change" id="change-{change}".*?</section>', page(site, TIMELINE), re.S)
    assert found, change
    listed = re.search(rf'<article class="entry e-{kind}" data-change="{kind}" data-clause="{clause}">.*?</article>', found.group(0), re.S)
    assert listed, (change, kind, clause)
    return listed.group(0)


def quotes(article: str) -> tuple[str, str]:
    """The earlier and the later side of a listed clause: its blockquote's inner HTML, or the note."""
    old, new = re.findall(r'<figure class="quote side side-(?:del|ins)">\s*<figcaption>[^<]*</figcaption>\s*(.*?)\s*</figure>', article, re.S)
    return old, new


def test_the_timeline_lists_the_versions_in_order(versions_report):
    site = versions_report.out
    text = page(site, TIMELINE)
    rows = re.findall(r'<tr data-recorded="([^"]+)"><th scope="row">[^<]+</th>\s*<td>([^<]+)</td>\s*<td>(.*?)</td>\s*<td class="num">(\d+)</td>', text, re.S)
    assert [(day, updated, int(n)) for day, updated, _, n in rows] == [
        ("2019-03-01", "2019-03-01", 6), ("2021-06-15", "2021-06-10", 7), ("2023-09-01", "2023-08-20", 6)]
    assert all("hand-checked" in review and "carried" not in review for _, _, review, _ in rows)
    assert text.count('<a href="https://changeco.example/privacy" rel="noopener noreferrer">source</a>') == 3
    assert re.findall(r'<h2 id="title-change-[^"]+">([^<]+)</h2>', text) == ["2019-03-01 → 2021-06-15", "2021-06-15 → 2023-09-01"]


def test_each_change_counts_its_statements(versions_report):
    text = page(versions_report.out, TIMELINE)
    counts = re.findall(r'<span class="count c-added">(\d+) added</span> <span class="count c-removed">(\d+) removed</span>\s*'
                        r'<span class="count c-changed">(\d+) changed</span> <span class="count c-kept">(\d+) kept</span>', text)
    # 2019 -> 2021: + cookies, no-usage-sharing; - usage-sharing; ~ account-data, retention, children; = no-ad-sharing, policy-change
    # 2021 -> 2023: + ad-sharing; - cookies, no-ad-sharing; ~ account-data, policy-change; = no-usage-sharing, retention, children
    assert counts == [("2", "1", "3", "2"), ("1", "2", "2", "3")]
    section = re.search(r'<section class="change" id="change-2021-06-15".*?</section>', text, re.S).group(0)
    assert re.findall(r'data-change="(\w+)" data-clause="([^"]+)"', section) == [
        ("changed", "account-data"), ("changed", "retention"), ("changed", "children"),
        ("added", "no-usage-sharing"), ("added", "cookies"), ("removed", "usage-sharing")]


def test_a_changed_statement_shows_both_quotes_with_the_changed_words_marked(versions_report):
    site = versions_report.out
    retention = entry(site, "2021-06-15", "changed", "retention")
    assert quotes(retention) == ("<blockquote>We keep your account data for <del>30</del> days after you close your account.</blockquote>",
                                 "<blockquote>We keep your account data for <ins>90</ins> days after you close your account.</blockquote>")
    assert '<ul class="before"><li>has retention period: P30D <span class="note">(30 days)</span></li></ul>' in retention
    assert '<ul class="after"><li>has retention period: P90D <span class="note">(90 days)</span></li></ul>' in retention
    assert ">proposed</span>" in retention  # the 2021 retention clause is marked proposed (carried, not yet reviewed)

    account = entry(site, "2021-06-15", "changed", "account-data")
    assert quotes(account) == (
        "<blockquote>We collect your <del>name and</del> email address when you create an <del>account.</del></blockquote>",
        "<blockquote>We collect your <ins>name,</ins> email address <ins>and phone number</ins> when you create an "
        "<ins>account, with your consent.</ins></blockquote>")
    assert "<li>has data type: telephone number</li>" in account and "<li>has legal basis: consent</li>" in account
    assert ">proposed</span>" not in account


def test_an_added_and_a_removed_statement_show_the_quote_of_the_version_that_has_it(versions_report):
    site = versions_report.out
    added = entry(site, "2021-06-15", "added", "cookies")
    assert quotes(added) == ('<p class="note">The clause is not in this version.</p>',
                             "<blockquote><ins>We use cookies to measure how our site is used.</ins></blockquote>")
    assert "has data type: cookie" in added and "has purpose: analytics and research" in added
    removed = entry(site, "2021-06-15", "removed", "usage-sharing")
    assert quotes(removed) == ("<blockquote><del>We share information about how you use the site with analytics providers.</del></blockquote>",
                               '<p class="note">The clause is not in this version.</p>')
    removed_later = entry(site, "2023-09-01", "removed", "no-ad-sharing")
    assert "We do not share your personal information with advertisers." in quotes(removed_later)[0]


def test_each_change_date_shows_what_the_earlier_version_promised(versions_report):
    text = page(versions_report.out, TIMELINE)
    for change, updated in (("2021-06-15", "2021-06-10"), ("2023-09-01", "2023-08-20")):
        section = re.search(rf'<section class="change" id="change-{change}".*?</section>', text, re.S).group(0)
        promise = re.search(r'<aside class="promise".*?</aside>', section, re.S).group(0)
        assert f"<b>Recorded {change}</b>; the text says last updated {updated}." in promise
        # both earlier versions (2019 and 2021) promise an e-mail 30 days ahead; the 2023 one's 7 days on the
        # website would apply to a later change, of which there is none
        assert '<li data-clause="policy-change"><b>does</b>: e-mail notice, <span title="P30D">30 days in advance</span>' in promise
        assert "<blockquote>We will notify you by email at least 30 days before any material change to this policy takes effect.</blockquote>" in promise
        assert "7 days" not in promise


def test_the_company_page_links_the_timeline_and_a_single_version_company_has_none(versions_report):
    site, files = versions_report.out, versions_report.files
    assert sorted(rel for rel in files if rel.startswith("timelines/")) == [TIMELINE]
    assert "../timelines/changeco.html" in links(page(site, "companies/changeco.html"))
    assert "timelines/changeco.html" in links(page(site, "index.html"))
    assert not any("timelines/" in href for href in links(page(site, "companies/acme.html")))
    assert "../companies/changeco.html" in links(page(site, TIMELINE))
    assert element_text(page(site, TIMELINE), "versions-title") == "Versions"
    assert not versions_report.problems


def test_every_link_of_the_timeline_is_relative_and_lands_on_a_page_or_anchor_of_the_site(versions_report):
    site = versions_report.out
    for rel in (TIMELINE, "companies/changeco.html", "index.html"):
        text = page(site, rel)
        for href in map(html.unescape, links(text)):
            if href.startswith(("https://", "http://")):
                continue
            assert not href.startswith(("/", "file:")), (rel, href)
            target, _, anchor = href.partition("#")
            path = PurePosixPath(rel).parent / target if target else PurePosixPath(rel)
            resolved = (site / path).resolve()
            assert resolved.is_file() and resolved.is_relative_to(site.resolve()), (rel, href)
            if anchor and resolved == (site / TIMELINE).resolve():
                assert f'id="{anchor}"' in page(site, TIMELINE), (rel, href)


def test_without_the_stored_queries_there_is_no_timeline_and_the_report_says_why(versions_report):
    store = open_store(versions_report.out.parent / "project" / "kg", history=True)
    found, problems = timeline.load(store, {"version-timeline": None})
    assert found == {}
    assert problems == ["no timeline pages: the stored queries version-timeline, version-practice-changes, "
                        "policy-change-promises are missing from queries/ or failed"]


def test_side_by_side_marks_what_each_version_lacks():
    assert timeline.side_by_side("we sell your data", "we share your  data") == (
        [Words("we"), Words("sell", True), Words("your data")], [Words("we"), Words("share", True), Words("your data")])
    assert timeline.side_by_side(None, "new words") == (None, [Words("new words", True)])
    assert timeline.side_by_side("same", "same") == ([Words("same")], [Words("same")])


def test_reworded_lists_the_clauses_in_both_versions_in_other_words_whose_statements_are_kept():
    old = {"a": (0, "We keep it for a while."), "b": (30, "Unchanged  text."), "c": (60, "Listed already."), "d": (90, "Only here.")}
    new = {"a": (5, "We keep it for a year."), "b": (40, "Unchanged text."), "c": (70, "Listed, changed."), "e": (99, "New.")}
    found = timeline.reworded(old, new, listed={"c"})
    assert [(e.change, e.clause, e.position) for e in found] == [("reworded", "a", 5)]
    assert found[0].old[-1] == Words("while.", True) and found[0].new[-1] == Words("year.", True)


def test_durations_in_words():
    assert [timeline.duration_text(d) for d in ("P30D", "P1Y6M", "PT0S", "P1W", "PT36H", "P", "30 days")] == [
        "30 days", "1 year 6 months", "0 days", "1 week", "36 hours", "P", "30 days"]


def test_a_rebuild_is_byte_identical(versions_report):
    files, *_ = report.render(Project(versions_report.out.parent / "project"))
    assert files == versions_report.files


def test_the_report_from_the_on_disk_store_is_the_same(versions_report, tmp_path):
    """On disk, one store holds every version and the current pages read its current view: the same site
    as from the two stores in memory."""
    project = Project(versions_report.out.parent / "project")
    on_disk, _, _, problems = report.render(project, store_dir=tmp_path / "store")
    in_memory, _, _, expected_problems = report.render(project)
    assert any(name.startswith("timelines/") for name in on_disk)
    assert on_disk == in_memory and problems == expected_problems
