"""Shared by the triple-store tests: a copy of the export to load, real servers on 127.0.0.1 (started and
stopped by fixtures, in temporary folders), the CLI, and comparisons of what a server holds and answers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from conftest import REPO
from privacy_kg import queries, servers
from privacy_kg.cli import app
from privacy_kg.load import GRAPH_BASE, export_graphs
from privacy_kg.project import Project
from privacy_kg.queries import from_json
from privacy_kg.store import open_store

DBA = {"PRIVACY_KG_USER": servers.VIRTUOSO_USER, "PRIVACY_KG_PASSWORD": servers.VIRTUOSO_PASSWORD}  # a test Virtuoso's account

# `load` pushes the current graphs, not kg/history: the queries that compare versions are checked on the
# embedded store and rdflib instead (tests/test_queries.py, tests/test_version_queries.py)
STORED_QUERIES = [q.name for q in queries.load_all(REPO / "queries") if not q.history]
REQUIRE_VIRTUOSO = "PRIVACY_KG_REQUIRE_VIRTUOSO"


def copy_export(root: Path, only: list[str] | None = None) -> Project:
    """A project holding a copy of the repo's kg/ and queries/ (kg/ itself is never touched); with `only`,
    an export of those companies: the ontology's and their quads (what queries and `load` read)."""
    shutil.copytree(REPO / "queries", root / "queries")
    if only is None:
        shutil.copytree(REPO / "kg", root / "kg")
    else:
        (root / "kg" / "quads").mkdir(parents=True)
        for name in ("ontology", *only):
            shutil.copy(REPO / "kg" / "quads" / f"{name}.nq", root / "kg" / "quads")
    return Project(root)


def cli(*args: str, env: dict[str, str] | None = None):
    """Run `privacy-kg ARGS` in this process; credentials only from `env` (never inherited)."""
    base = {"PRIVACY_KG_USER": None, "PRIVACY_KG_PASSWORD": None, "COLUMNS": "200"}
    return CliRunner().invoke(app, list(args), env={**base, **(env or {})})


def load_args(project: Project, server: servers.Server, *extra: str) -> list[str]:
    return ["load", "--endpoint", server.query_url, "--graph-store", server.store_url, "--root", str(project.root), *extra]


def require_virtuoso() -> None:
    """Skip when virtuoso-t is missing, unless $PRIVACY_KG_REQUIRE_VIRTUOSO=1 (CI), which makes it a failure."""
    if servers.virtuoso_binary() is not None:
        return
    if os.environ.get(REQUIRE_VIRTUOSO) == "1":
        pytest.fail(f"{REQUIRE_VIRTUOSO}=1 but virtuoso-t is not installed: run .ci/setup-system")
    pytest.skip("virtuoso-t is not installed: run .ci/setup-system (CI sets PRIVACY_KG_REQUIRE_VIRTUOSO=1 to require it)")


# -- what a server holds ------------------------------------------------------------------------------

def select(server: servers.Server, query: str) -> list[dict]:
    response = requests.post(server.query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    response.raise_for_status()
    return [{k: from_json(v) for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def contents(server: servers.Server) -> dict[str, set[tuple]]:
    """Every triple of the project's graphs on the server, by graph short name. Blank node ids are kept:
    a store gives new ones when a graph is replaced, so equal contents also mean 'not replaced'."""
    rows = select(server, f'SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }}')
    found: dict[str, set[tuple]] = {}
    for r in rows:
        found.setdefault(str(r["g"])[len(GRAPH_BASE):], set()).add((r["s"], r["p"], r["o"]))
    return found


def graph_counts(server: servers.Server) -> dict[str, int]:
    """Triples per graph of the project, counted by the server (cheaper than `contents` on a big store)."""
    rows = select(server, f'SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                          f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }} GROUP BY ?g')
    return {str(r["g"])[len(GRAPH_BASE):]: int(str(r["n"])) for r in rows}


def by_value(triples) -> set[tuple]:
    """Triples with literals by value: stores rewrite some datatypes (Oxigraph keeps xsd:nonNegativeInteger
    as xsd:integer)."""
    return {(s, p, queries.value(o)) for s, p, o in triples}


def export_counts(project: Project) -> dict[str, int]:
    return {g.name: g.triples for g in export_graphs(project.kg_dir)}


def server_counts(server: servers.Server) -> dict[str, int]:
    return {name: len(triples) for name, triples in contents(server).items()}


# -- stored queries: embedded answers against a server's, by value -------------------------------------

def embedded_answers(project: Project) -> dict[str, list[tuple]]:
    store = open_store(project.kg_dir)
    return {q.name: queries.canonical(queries.run_embedded(store, q)) for q in queries.load_all(project.queries_dir)}


def assert_same_answers(server: servers.Server, query_name: str, project: Project, embedded: dict[str, list[tuple]]) -> None:
    """Run one stored query through SPARQLWrapper on the server and compare with the embedded store by value
    (queries.canonical: the comparison `query --check` makes, durations as seconds)."""
    query = queries.find(project.queries_dir, query_name)
    remote = queries.canonical(queries.run_endpoint(server.query_url, query, timeout=600))
    assert remote == embedded[query_name], f"{query_name} answers differently on {server.name}"
