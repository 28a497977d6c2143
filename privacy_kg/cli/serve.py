from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated, Optional

import typer

from privacy_kg import serve as serving
from privacy_kg.cli.common import RootOption, err, out, project
from privacy_kg.load import LOADED, UNCHANGED, LoadError
from privacy_kg.owned_folders import FolderError
from privacy_kg.servers import HOST, ServerError


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 7878,
        store: Annotated[Optional[Path], typer.Option("--store", help="Keep the server's store on disk here (default: in memory): a new or empty folder, or one an earlier `serve --store` made (anything else is refused, exit 2).")] = None,
        root: RootOption = None,
    ) -> None:
        """Serve kg/ from an Oxigraph server on 127.0.0.1 (SPARQL at /query, Graph Store Protocol at /store)
        until Ctrl-C or SIGTERM. Exit 2 when the server cannot start or the export cannot be loaded."""
        proj = project(root)
        if port and not _port_free(port):
            err.print(f"error: port {port} is in use on {HOST}: choose another with --port (0: any free port)")
            raise typer.Exit(2)
        crashed = False
        try:
            with serving.stop_on_sigterm(), serving.serving(proj.kg_dir, port, store) as (server, report):
                out.print(f"SPARQL endpoint: {server.query_url}", highlight=False, soft_wrap=True)
                out.print(f"Graph Store:     {server.store_url}", highlight=False, soft_wrap=True)
                out.print(f"{len(report.graphs)} graphs ({sum(g.triples for g in report.graphs):,} triples): "
                          f"{len(report.named(LOADED))} loaded, {len(report.named(UNCHANGED))} unchanged in {report.seconds:.2f} s; "
                          "Ctrl-C or SIGTERM stops the server.", highlight=False, soft_wrap=True)
                out.file.flush()
                crashed = not serving.wait(server)
        except KeyboardInterrupt:  # stopped while starting: the server is already stopped
            pass
        except (ServerError, LoadError, FileNotFoundError, FolderError) as e:
            err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        if crashed:
            err.print(f"error: the Oxigraph server exited by itself (code {server.process.returncode})")
            raise typer.Exit(2)
        out.print("server stopped.")
