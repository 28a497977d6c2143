from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from privacy_kg import report as reporting
from privacy_kg.cli.common import ExtraKgOption, RootOption, StoreOption, err, out, project
from privacy_kg.owned_folders import FolderError
from privacy_kg.store import ExportSyntaxError


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        out_dir: Annotated[Path, typer.Option("--out", help="Folder for the site (new, empty, or an earlier report, which is replaced).")],
        extra: ExtraKgOption = None,
        opp115: Annotated[Optional[Path], typer.Option("--opp115", help="The OPP-115 folder, to show imported policies' full texts.")] = None,
        store: StoreOption = None,
        root: RootOption = None,
    ) -> None:
        """Write a static HTML report (works from file://): the company x topic matrix, a page per company with
        the quoted clauses highlighted in the policy text, a page per stored query, charts, and the ontology's
        documentation."""
        proj = project(root)
        started = time.monotonic()
        try:
            result = reporting.build(proj, out_dir, extra or [], opp115, store)
        except (FileNotFoundError, reporting.ReportError, reporting.PublishError, FolderError, ExportSyntaxError) as e:
            err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        for problem in result.problems:
            err.print(f"warning: {problem}", markup=False, highlight=False, soft_wrap=True)
        out.print(f"wrote {result.pages} pages ({len(result.data.companies)} companies, {result.queries} queries) to "
                  f"{result.out} in {time.monotonic() - started:.1f} s; open {result.out / 'index.html'}",
                  markup=False, highlight=False, soft_wrap=True)
