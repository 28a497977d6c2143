from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Column, Table

from privacy_kg import queries
from privacy_kg.cli.common import ExtraKgOption, RootOption, credentials, err, out, project
from privacy_kg.owned_folders import FolderError
from privacy_kg.store import open_store

FORMATS = ("table", "csv", "json")


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, val = pair.partition("=")
        if not sep or not key:
            raise queries.QueryError(f"--param takes key=value, not {pair!r}")
        params[key.strip()] = val
    return params


def show(result: queries.Result, fmt: str, title: str = "") -> None:
    if fmt == "csv":
        out.print(queries.to_csv(result), end="", markup=False, highlight=False, soft_wrap=True)
    elif fmt == "json":
        rows = [{v: queries.cell_text(r[v]) for v in result.variables if v in r} for r in result.rows]
        out.print(json.dumps({"variables": result.variables, "rows": rows}, indent=2, ensure_ascii=False),
                  markup=False, highlight=False, soft_wrap=True)
    else:
        table = Table(*result.variables, title=title or None, title_justify="left")
        for row in result.rows:
            table.add_row(*(queries.cell_text(row.get(v, "")) for v in result.variables))
        out.print(table)
        out.print(f"{len(result.rows)} row(s)")


def run_all(proj, store, endpoint, fmt: str, check: bool) -> None:
    differing = []
    for stored in queries.load_all(proj.queries_dir):
        result = queries.run_endpoint(endpoint, stored, credentials=credentials()) if endpoint else queries.run_embedded(store, stored)
        show(result, fmt, f"{stored.name}: {stored.title}")
        if check and queries.canonical(result) != queries.canonical(queries.read_expected(stored)):
            differing.append(stored.name)
    if check:
        if differing:
            err.print(f"answers differ from the golden answers: {', '.join(differing)}")
            raise typer.Exit(1)
        out.print("every stored query gives its golden answer.")


def register(app: typer.Typer) -> None:
    @app.command()
    def query(
        name: Annotated[Optional[str], typer.Argument(help="A stored query (see --list).")] = None,
        list_: Annotated[bool, typer.Option("--list", help="List the stored queries: name, title, question.")] = False,
        all_: Annotated[bool, typer.Option("--all", help="Run every stored query (with its defaults).")] = False,
        check: Annotated[bool, typer.Option("--check", help="With --all: compare each answer with its golden answer; exit 1 on a difference.")] = False,
        param: Annotated[list[str], typer.Option("--param", "-p", help="key=value, bound as an RDF term (repeatable).")] = [],
        fmt: Annotated[str, typer.Option("--format", "-f", help="table | csv | json")] = "table",
        file: Annotated[Optional[Path], typer.Option("--file", help="Run an ad-hoc query from a .rq file.")] = None,
        endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="Run on a remote SPARQL endpoint (credentials: $PRIVACY_KG_USER / $PRIVACY_KG_PASSWORD).")] = None,
        store: Annotated[Optional[Path], typer.Option("--store", help="Use (and keep) an on-disk embedded store here: a new or empty folder, or one an earlier `query --store` made (anything else is refused, exit 2).")] = None,
        extra: ExtraKgOption = None,
        root: RootOption = None,
    ) -> None:
        """Run stored competency questions (or an ad-hoc query) on the embedded store or an endpoint."""
        proj = project(root)
        if fmt not in FORMATS:
            err.print(f"error: --format must be one of {', '.join(FORMATS)}")
            raise typer.Exit(2)
        try:
            if list_:
                table = Table(Column("name", no_wrap=True), "title", "question", "parameters")
                for q in queries.load_all(proj.queries_dir):
                    table.add_row(q.name, q.title, q.question, ", ".join(f"{p.name}={p.default}" for p in q.params.values()))
                out.print(table)
                return
            embedded = None if endpoint else open_store(proj.kg_dir, store, extra or [])
            if all_:
                run_all(proj, embedded, endpoint, fmt, check)
                return
            if file is not None:
                stored = queries.StoredQuery(file.stem, file, file.stem, "ad-hoc query", file.read_text(encoding="utf-8"))
            elif name:
                stored = queries.find(proj.queries_dir, name)
            else:
                err.print("error: give a query NAME, --file or --list")
                raise typer.Exit(2)
            params = _params(param)
            if endpoint:
                result = queries.run_endpoint(endpoint, stored, params, credentials=credentials())
            else:
                result = queries.run_embedded(embedded, stored, params)
        except (queries.QueryError, FileNotFoundError, FolderError) as e:
            err.print(f"error: {e}", markup=False, highlight=False)
            raise typer.Exit(2)
        except Exception as e:  # a store or endpoint error: name where it came from
            err.print(f"error: the query failed on {endpoint or 'the embedded store'}: {e}", markup=False, highlight=False)
            raise typer.Exit(2)
        show(result, fmt, stored.title)
