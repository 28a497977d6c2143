"""The seeds' report, built once per test session (read-only use of kg/); the report of a small project
whose policy has three versions (tests/fixtures/corpus/changeco, beside the single-version acme); and a
reader for their pages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

import shutil

from privacy_kg import build, report
from privacy_kg.project import Project
from conftest import FIXTURES, REPO


_built: dict[str, report.Report] = {}  # one build for every module that imports the fixture


@pytest.fixture(scope="session")
def seeds_report(tmp_path_factory) -> report.Report:
    if "seeds" not in _built:
        _built["seeds"] = report.build(Project(REPO), tmp_path_factory.mktemp("report") / "site")
    return _built["seeds"]


@pytest.fixture(scope="session")
def versions_report(tmp_path_factory) -> report.Report:
    """The report of a project with the repo's ontology, mappings and stored queries, and two fixture
    companies: changeco (three versions) and acme (one)."""
    if "versions" not in _built:
        root = tmp_path_factory.mktemp("versions") / "project"
        for folder in ("ontology", "mappings", "queries"):
            shutil.copytree(REPO / folder, root / folder)
        for name in ("acme", "changeco"):
            shutil.copytree(FIXTURES / "corpus" / name, root / "corpus" / name)
        build.write(Project(root), build.build(Project(root)))
        _built["versions"] = report.build(Project(root), root.parent / "site")
    return _built["versions"]


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
