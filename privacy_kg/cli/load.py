from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.progress import Progress
from rich.table import Table

from privacy_kg import load as loading, virtuoso_bulk
from privacy_kg.cli.common import RootOption, credentials, endpoint_url, err, fail, out, project
from privacy_kg.store import ExportSyntaxError

EndpointOption = Annotated[str, typer.Option("--endpoint", help="The store's SPARQL query URL, e.g. http://127.0.0.1:7878/query.")]
GraphStoreOption = Annotated[Optional[str], typer.Option(
    "--graph-store", help="The store's Graph Store Protocol URL (default: guessed from --endpoint: /query -> /store, "
    "/sparql -> /sparql-graph-crud-auth).")]
AuthOption = Annotated[str, typer.Option("--auth", help="HTTP auth scheme for $PRIVACY_KG_USER / $PRIVACY_KG_PASSWORD: digest | basic.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", min=0.001, help="Seconds each HTTP request may take, whole (> 0).")]


def target(endpoint: str, graph_store: str | None, auth: str, timeout: float) -> loading.Target:
    """The Target of the options, or exit 2 with the reason."""
    if auth not in loading.AUTH_SCHEMES:
        fail(f"--auth must be one of {', '.join(loading.AUTH_SCHEMES)}, not {auth!r}")
    endpoint_url(endpoint)
    if graph_store:
        endpoint_url(graph_store, "--graph-store")
    try:
        store = graph_store or loading.guess_graph_store(endpoint)
    except ValueError as e:
        fail(e)
    return loading.Target(endpoint, store, credentials(), auth, timeout)


def show(report: loading.LoadReport) -> None:
    table = Table("graph", "triples", "on server", "status", title="graphs", title_justify="left")
    for g in report.graphs:
        on_server = "?" if g.on_server is None else str(g.on_server)
        mark = "" if g.on_server is None or g.verified else " [bold red]≠[/]"
        table.add_row(g.name, str(g.triples), on_server + mark, g.status)
    out.print(table)
    rate = f" ({report.sent_triples / report.seconds:,.0f} triples/s)" if report.sent_triples and report.seconds else ""
    out.print(f"{len(report.named(loading.LOADED))} graph(s) loaded ({report.sent_triples:,} triples), "
              f"{len(report.named(loading.UNCHANGED))} unchanged, {len(report.named(loading.REMOVED))} removed "
              f"in {report.seconds:.2f} s{rate}", highlight=False, soft_wrap=True)


def fail_unless_ok(report: loading.LoadReport) -> None:
    """Exit 2 when the load stopped (saying what was and was not loaded), 1 when counts differ."""
    if report.error:
        done = ", ".join(report.named(loading.LOADED, loading.UNCHANGED, loading.REMOVED)) or "none"
        missing = ", ".join(report.named(loading.FAILED, loading.NOT_LOADED)) or "none"
        fail(f"the load is incomplete: {report.error}; loaded: {done}; not loaded: {missing}; "
             "rerun the same command to complete it")
    if report.mismatched:
        diffs = "; ".join(f"{g.name} has {g.on_server} triples, the export {g.triples}" for g in report.mismatched)
        fail(f"the server's counts differ from the export: {diffs}", 1)


def register(app: typer.Typer) -> None:
    @app.command()
    def load(
        endpoint: EndpointOption,
        graph_store: GraphStoreOption = None,
        auth: AuthOption = "digest",
        timeout: TimeoutOption = 60.0,
        force: Annotated[bool, typer.Option("--force", help="Replace every graph, even those the server already holds unchanged.")] = False,
        bulk: Annotated[bool, typer.Option("--bulk", help="Virtuoso only: load through its bulk loader (ld_add + rdf_loader_run, driven with isql-vt), which reads the files itself; for exports too big for PUTs. Replaces every graph.")] = False,
        isql: Annotated[Optional[str], typer.Option("--isql", help="With --bulk: Virtuoso's SQL port, HOST:PORT (e.g. 127.0.0.1:1111).")] = None,
        bulk_dir: Annotated[Optional[str], typer.Option("--bulk-dir", help="With --bulk: kg/quads/ as the server sees it, a folder in its ini's DirsAllowed (default: this machine's path of kg/quads/).")] = None,
        loaders: Annotated[int, typer.Option("--loaders", min=1, help="With --bulk: parallel rdf_loader_run() sessions (about the server's cores).")] = 2,
        root: RootOption = None,
    ) -> None:
        """Load kg/ into a SPARQL 1.1 store (Graph Store Protocol): each company's named graph and the
        ontology's replaced whole with PUT, unchanged graphs skipped, then every graph's triple count
        verified. Credentials: $PRIVACY_KG_USER / $PRIVACY_KG_PASSWORD. Exit 2 when the server cannot be
        reached or the load stops part-way (rerun to complete it), 1 when counts differ afterwards."""
        proj = project(root)
        goal = target(endpoint, graph_store, auth, timeout)
        if bulk:
            if not isql:
                fail("--bulk needs --isql HOST:PORT (Virtuoso's SQL port, e.g. 127.0.0.1:1111)")
            try:
                report = virtuoso_bulk.bulk_load(proj.kg_dir, goal, virtuoso_bulk.Bulk(isql, bulk_dir, loaders))
            except (loading.LoadError, FileNotFoundError, ExportSyntaxError) as e:
                fail(f"{e}; nothing was loaded")
            show(report)
            fail_unless_ok(report)
            return
        elif isql or bulk_dir:
            fail("--isql and --bulk-dir go with --bulk")
        try:
            with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
                task = bar.add_task("loading", total=None)
                report = loading.load(proj.kg_dir, goal, force, progress=lambda status: bar.advance(task))
        except (loading.LoadError, FileNotFoundError) as e:
            fail(f"{e}; nothing was loaded")
        show(report)
        fail_unless_ok(report)
