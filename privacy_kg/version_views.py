"""Which named graphs a query reads when the store also holds earlier versions of the policies.

Every stored query reads `GRAPH ?g { … }` over the dataset's named graphs. kg/quads/ holds one graph per
company, its current version; kg/history/ adds one graph per earlier version (graph/<slug>/version/<date>).
A store that holds both shows a query one view of it, named as the SPARQL dataset (pyoxigraph's
`named_graphs`, the `FROM NAMED` of the query), so the .rq files stay as they are:

- the current view: every graph but the version graphs (what a query sees without the history);
- the view as of a date: for each company, the graph of the version in force on that day (the latest one
  recorded on or before it), plus the ontology's graphs. A company with no version recorded by then, or with
  no recorded date at all (no archived_on), is not in the view.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from privacy_kg.namespaces import GRAPH, HIERARCHY_GRAPH, ONTOLOGY_GRAPH

VERSION_GRAPH = re.compile(re.escape(str(GRAPH)) + r"[^/]+/version/\d{4}-\d{2}-\d{2}$")
ONTOLOGY_GRAPHS = (ox.NamedNode(str(ONTOLOGY_GRAPH)), ox.NamedNode(str(HIERARCHY_GRAPH)))

VERSIONS = """PREFIX pk: <https://w3id.org/privacy-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?g ?slug ?recorded WHERE {
  GRAPH ?g { ?v pk:versionGraph ?g ; prov:generatedAtTime ?recorded ; prov:specializationOf ?policy .
             ?policy pk:ofCompany ?company . ?company pk:slug ?slug }
}"""
COMPANIES = """PREFIX pk: <https://w3id.org/privacy-kg/ontology#>
SELECT DISTINCT ?g ?slug WHERE { GRAPH ?g { ?company a pk:Company ; pk:slug ?slug } }"""


def is_version_graph(name: str) -> bool:
    return VERSION_GRAPH.match(name) is not None


def current_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """Every named graph of the store but the earlier versions' graphs."""
    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and not is_version_graph(g.value)),
                  key=lambda g: g.value)


class CurrentView:
    """A store that also holds earlier versions, seen as the current versions only: a query's dataset is
    every named graph but the version graphs, unless the caller names its graphs. Stands for the store
    wherever only `query` is used (stats, the report, run_embedded)."""

    def __init__(self, store: ox.Store, graphs: list[ox.NamedNode]):
        self.store = store
        self.graphs = graphs

    def query(self, query: str, *, named_graphs: list[ox.NamedNode] | None = None, **options):
        return self.store.query(query, named_graphs=self.graphs if named_graphs is None else named_graphs, **options)


def current_view(store: ox.Store) -> ox.Store | CurrentView:
    """The store itself when it holds no earlier version, else its CurrentView."""
    if not any(isinstance(g, ox.NamedNode) and is_version_graph(g.value) for g in store.named_graphs()):
        return store
    return CurrentView(store, current_graphs(store))


@dataclass
class AsOf:
    """The view of the store as of a day: the graphs to read, and which version of each company they hold."""

    day: str
    graphs: list[ox.NamedNode]
    in_force: dict[str, str]  # slug -> the date its version in force was recorded
    not_yet: list[str] = field(default_factory=list)  # slugs whose first recorded version is later
    undated: list[str] = field(default_factory=list)  # slugs with no recorded date

    def summary(self, shown: int = 10) -> str:
        def names(items):
            items = list(items)
            return ", ".join(items[:shown]) + (f" and {len(items) - shown} more" if len(items) > shown else "")
        parts = [f"as of {self.day}: {len(self.in_force)} companies, each in its version in force "
                 f"({names(f'{s} {d}' for s, d in sorted(self.in_force.items()))})"]
        if self.not_yet:
            parts.append(f"no version recorded by then: {names(self.not_yet)}")
        if self.undated:
            parts.append(f"left out, no recorded date (archived_on): {names(self.undated)}")
        return "; ".join(parts)


def parse_day(text: str) -> str:
    """A YYYY-MM-DD day that exists, or ValueError naming the fix."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"--as-of takes a day as YYYY-MM-DD (e.g. 2021-06-30), not {text!r}") from None


def as_of(store: ox.Store, day: str) -> AsOf:
    """For each company, the graph of its latest version recorded on or before `day`."""
    versions: dict[str, list[tuple[str, ox.NamedNode]]] = {}
    for solution in store.query(VERSIONS):
        versions.setdefault(solution["slug"].value, []).append((solution["recorded"].value, solution["g"]))
    graphs, in_force, not_yet = [], {}, []
    for slug, dated in sorted(versions.items()):
        earlier = [(recorded, g) for recorded, g in dated if recorded <= day]
        if earlier:
            recorded, g = max(earlier, key=lambda x: x[0])
            graphs.append(g)
            in_force[slug] = recorded
        else:
            not_yet.append(slug)
    companies = {s["slug"].value for s in store.query(COMPANIES)}
    present = [g for g in ONTOLOGY_GRAPHS if store.contains_named_graph(g)]
    return AsOf(day, graphs + present, in_force, not_yet, sorted(companies - set(versions)))
