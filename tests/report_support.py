"""The seeds' report, built once per test session (read-only use of kg/), and a reader for its pages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from privacy_kg import report
from privacy_kg.project import Project
from conftest import REPO


_built: dict[str, report.Report] = {}  # one build for every module that imports the fixture


@pytest.fixture(scope="session")
def seeds_report(tmp_path_factory) -> report.Report:
    if "seeds" not in _built:
        _built["seeds"] = report.build(Project(REPO), tmp_path_factory.mktemp("report") / "site")
    return _built["seeds"]


class _ById(HTMLParser):
    """Text of the element with a given id (its descendants' text included), and every link target."""

    VOID = {"br", "img", "meta", "link", "input", "hr", "col", "area", "base", "wbr", "source"}

    def __init__(self, wanted: str | None):
        super().__init__(convert_charrefs=True)
        self.wanted, self.depth, self.text, self.found, self.hrefs = wanted, 0, [], False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif self.wanted is not None and attrs.get("id") == self.wanted:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def element_text(html: str, element_id: str) -> str | None:
    parser = _ById(element_id)
    parser.feed(html)
    return "".join(parser.text) if parser.found else None


def links(html: str) -> list[str]:
    parser = _ById(None)
    parser.feed(html)
    return parser.hrefs


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")
