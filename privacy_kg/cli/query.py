from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Column, Table
from rich.text import Text

from privacy_kg import interruptible, queries, version_views
from privacy_kg.cli.common import ExtraKgOption, RootOption, StoreOption, credentials, endpoint_url, err, fail, out, project
from privacy_kg.safe_output import printable, printable_json, safe
from privacy_kg.owned_folders import FolderError
from privacy_kg.store import open_store

FORMATS = ("table", "csv", "json")
DEFAULT_TIMEOUT = 600.0
SHOWN_ROWS = 10  # differing rows printed per query by --check


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, val = pair.partition("=")
        if not sep or not key.strip():
            raise queries.QueryError(f"--param takes key=value, not {pair!r}")
        params[key.strip()] = val
    return params


def show(result: queries.Result, fmt: str, title: str = "") -> None:
    """Print an answer; every value from the data is escaped (no raw control characters reach the terminal)."""
    plain = dict(markup=False, highlight=False, soft_wrap=True)
    if result.boolean is not None:
        text = "true" if result.boolean else "false"
        out.print(json.dumps({"boolean": result.boolean}) if fmt == "json" else text, **plain)
    elif result.graph is not None:  # N-Triples escapes control characters itself; printable is a backstop
        out.print(printable(result.graph.decode("utf-8")), end="", **plain)
    elif fmt == "csv":
        out.print(printable(queries.to_csv(result)), end="", **plain)
    elif fmt == "json":
        rows = [{v: queries.cell_text(r[v]) for v in result.variables if v in r} for r in result.rows]
        out.print(printable_json(json.dumps({"variables": result.variables, "rows": rows}, indent=2, ensure_ascii=False)), **plain)
    else:
        table = Table(*result.variables, title=Text(title) if title else None, title_justify="left")
        for row in result.rows:
            table.add_row(*(Text(printable(queries.cell_text(row.get(v, "")))) for v in result.variables))
        out.print(table)
        out.print(f"{len(result.rows)} row(s)")


class View:
    """The named graphs each query reads on the embedded store: all of them (no history loaded), the current
    versions (history loaded for other queries), or the versions in force on the --as-of day."""

    def __init__(self, store, history: bool, day: str | None):
        self.as_of = version_views.as_of(store, day) if store is not None and day else None
        self.current = version_views.current_graphs(store) if store is not None and history and not day else None

    def graphs(self, stored: queries.StoredQuery):
        if self.as_of is not None:
            return self.as_of.graphs
        return None if stored.history else self.current


def run(stored: queries.StoredQuery, store, endpoint: str | None, params: dict[str, str], timeout: float,
        view: View | None = None) -> queries.Result:
    """One query, in a worker process killed on timeout or Ctrl-C (an embedded evaluation cannot be
    interrupted otherwise)."""
    if endpoint:
        auth = credentials()
        work = lambda: queries.run_endpoint(endpoint, stored, params, timeout=int(timeout) + 1, credentials=auth)  # noqa: E731
    else:
        graphs = view.graphs(stored) if view is not None else None
        work = lambda: queries.run_embedded(store, stored, params, graphs)  # noqa: E731
    try:
        return interruptible.call(work, timeout)
    except interruptible.TimedOut:
        raise queries.QueryError(f"{stored.name}: no answer within {timeout:g} s; stopped (see --timeout)") from None


def run_all(proj, store, endpoint, fmt: str, check: bool, timeout: float, view: View | None = None,
            stored_queries: list[queries.StoredQuery] | None = None) -> None:
    differing = []
    for stored in stored_queries if stored_queries is not None else queries.load_all(proj.queries_dir):
        result = run(stored, store, endpoint, {}, timeout, view)
        show(result, fmt, f"{stored.name}: {stored.title}")
        if check:
            missing, unexpected = queries.differences(result, queries.read_expected(stored))
            if missing or unexpected:
                differing.append((stored.name, missing, unexpected))
    if not check:
        return
    if differing:
        err.print(f"error: answers differ from the golden answers: {', '.join(name for name, *_ in differing)}", highlight=False)
        for name, missing, unexpected in differing:
            for label, found in (("missing", missing), ("unexpected", unexpected)):
                for row in found[:SHOWN_ROWS]:
                    err.print(f"  {name}: {label}: {safe(dict(row))}", markup=False, highlight=False, soft_wrap=True)
                if len(found) > SHOWN_ROWS:
                    err.print(f"  {name}: … and {len(found) - SHOWN_ROWS} more {label} row(s)", highlight=False)
        raise typer.Exit(1)
    out.print("every stored query gives its golden answer.")


def register(app: typer.Typer) -> None:
    @app.command()
    def query(
        name: Annotated[Optional[str], typer.Argument(help="A stored query (see --list).")] = None,
        list_: Annotated[bool, typer.Option("--list", help="List the stored queries: name, title, question.")] = False,
        all_: Annotated[bool, typer.Option("--all", help="Run every stored query (with its defaults).")] = False,
        check: Annotated[bool, typer.Option("--check", help="With --all: compare each answer with its golden answer; exit 1 on a difference, naming the query and rows.")] = False,
        param: Annotated[list[str], typer.Option("--param", "-p", help="key=value, bound as an RDF term (repeatable).")] = [],
        fmt: Annotated[str, typer.Option("--format", "-f", help="table | csv | json (an ASK answer prints true/false; CONSTRUCT and DESCRIBE print N-Triples).")] = "table",
        file: Annotated[Optional[Path], typer.Option("--file", help="Run an ad-hoc query (SELECT, ASK, CONSTRUCT or DESCRIBE) from a .rq file.")] = None,
        endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="Run on a remote SPARQL endpoint (credentials: $PRIVACY_KG_USER / $PRIVACY_KG_PASSWORD, never in the URL).")] = None,
        store: StoreOption = None,
        timeout: Annotated[float, typer.Option("--timeout", min=0.001, help="Seconds a query may run before it is stopped (Ctrl-C stops it too).")] = DEFAULT_TIMEOUT,
        as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD: run on each company's version in force that day (the latest recorded on or before it; kg/history/ is loaded). Not for queries that compare versions.")] = None,
        extra: ExtraKgOption = None,
        root: RootOption = None,
    ) -> None:
        """Run stored competency questions (or an ad-hoc query) on the embedded store or an endpoint.
        Exit 1 when --check finds a difference, 2 on a usage, query or server error, 130 on Ctrl-C."""
        proj = project(root)
        if fmt not in FORMATS:
            fail(f"--format must be one of {', '.join(FORMATS)}")
        if endpoint:
            endpoint_url(endpoint)
        day = None
        if as_of is not None:
            if endpoint:
                fail("--as-of runs on the embedded store (it loads kg/history/), not on --endpoint")
            if check:
                fail("--check compares with the golden answers, which are those of the current versions: drop --as-of")
            try:
                day = version_views.parse_day(as_of)
            except ValueError as e:
                fail(e)
        try:
            if list_:
                table = Table(Column("name", no_wrap=True), "title", "question", "parameters")
                for q in queries.load_all(proj.queries_dir):
                    table.add_row(*(Text(printable(cell)) for cell in (
                        q.name + (" (history)" if q.history else ""), q.title, q.question,
                        ", ".join(f"{p.name}={p.default}" for p in q.params.values()))))
                out.print(table)
                return
            if all_:
                chosen = queries.load_all(proj.queries_dir)
                if day is not None:  # a query that compares versions has no "as of" reading
                    skipped = [q.name for q in chosen if q.history]
                    chosen = [q for q in chosen if not q.history]
                    if skipped:
                        err.print(f"--as-of: left out the queries that compare versions: {', '.join(skipped)}", highlight=False, soft_wrap=True)
            elif file is not None:
                text = file.read_text(encoding="utf-8")
                chosen = [queries.StoredQuery(file.stem, file, file.stem, "ad-hoc query", text,
                                              history=queries.declares_history(text))]
            elif name:
                chosen = [queries.find(proj.queries_dir, name)]
            else:
                fail("give a query NAME, --file or --list")
            if day is not None and not all_ and chosen[0].history:
                fail(f"{chosen[0].name} compares the versions (it reads all of them); --as-of applies to the other queries")
            history = day is not None or any(q.history for q in chosen)
            embedded = None if endpoint else open_store(proj.kg_dir, store, extra or [], history=history)
            view = View(embedded, history, day)
            if view.as_of is not None:
                err.print(printable(view.as_of.summary()), markup=False, highlight=False, soft_wrap=True)
            if all_:
                run_all(proj, embedded, endpoint, fmt, check, timeout, view, chosen)
                return
            stored = chosen[0]
            result = run(stored, embedded, endpoint, _params(param), timeout, view)
        except typer.Exit:
            raise
        except KeyboardInterrupt:
            fail("interrupted: the query was stopped", 130)
        except (queries.QueryError, FileNotFoundError, IsADirectoryError, UnicodeDecodeError, FolderError) as e:
            fail(e)
        except Exception as e:  # a store or endpoint error: name where it came from
            fail(f"the query failed on {endpoint or 'the embedded store'}: {e}")
        show(result, fmt, stored.title)
