from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated, Optional

import typer

from privacy_kg import serve as serving
from privacy_kg.cli.common import ExtraKgOption, RootOption, StoreOption, err, out, project
from privacy_kg.load import LoadError
from privacy_kg.owned_folders import FolderError
from privacy_kg.servers import HOST, ServerError
from privacy_kg.store import ExportSyntaxError


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
        store: StoreOption = None,
        extra: ExtraKgOption = None,
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
            with serving.stop_on_sigterm(), serving.serving(proj.kg_dir, port, store, extra or []) as (server, loaded):
                out.print(f"SPARQL endpoint: {server.query_url}", highlight=False, soft_wrap=True)
                out.print(f"Graph Store:     {server.store_url}", highlight=False, soft_wrap=True)
                out.print(f"{loaded}; Ctrl-C or SIGTERM stops the server.", markup=False, highlight=False, soft_wrap=True)
                out.file.flush()
                crashed = not serving.wait(server)
        except KeyboardInterrupt:  # stopped while starting: the server is already stopped
            pass
        except (ServerError, LoadError, FileNotFoundError, FolderError, ExportSyntaxError) as e:
            err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        if crashed:
            err.print(f"error: the Oxigraph server exited by itself (code {server.process.returncode})")
            raise typer.Exit(2)
        out.print("server stopped.")
