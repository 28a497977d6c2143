"""`privacy-kg history carry`: a company's tags carried to every version Open Terms Archive recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from privacy_kg.cli.carry import drafting_model
from privacy_kg.cli.common import RootOption, fail_on_input_error, out, project
from privacy_kg.problems import InputError

history = typer.Typer(no_args_is_help=True, help="Earlier versions of a company's policy (corpus/<slug>/versions/<date>/).")


def register(app: typer.Typer) -> None:
    app.add_typer(history, name="history")


@history.command("carry")
def carry(
    slug: Annotated[str, typer.Argument(help="The company (corpus/SLUG/, its current version, tagged).")],
    ota: Annotated[Path, typer.Option("--ota", help="The service's folder from `privacy-kg import ota` (local/ota/<service>/: history.json, versions/).")],
    threshold: Annotated[Optional[float], typer.Option("--threshold", min=0.0, max=1.0, help="Similarity from which an edited passage is the clause, changed (default 0.8).")] = None,
    draft: Annotated[bool, typer.Option("--draft/--no-draft", help="Draft proposed clauses for the new uncovered text when a trained model exists.")] = True,
    models: Annotated[Optional[Path], typer.Option("--models", help="Where the tagging model is cached (default local/models/).")] = None,
    root: RootOption = None,
) -> None:
    """Write corpus/SLUG/versions/<date>/ for every recorded version that has no folder yet, carried from the
    nearest hand-checked version (the current one, or an earlier one whose clauses.yaml carry did not write);
    existing folders are never touched. Each folder is checked, then switched in whole; review its
    carry-report.md (changed clauses are proposed)."""
    from privacy_kg.carry_history import WRITTEN, carry_all, summary
    proj = project(root)
    model, note = drafting_model(proj, draft, models)
    written = 0
    try:
        for outcome in carry_all(proj, slug, ota, threshold, model):
            out.print(summary(outcome), highlight=False, soft_wrap=True)
            written += outcome.status == WRITTEN
    except InputError as error:
        if written:
            out.print(f"{written} version folder(s) written before the error; they stay.", highlight=False)
        fail_on_input_error(error)
    out.print(f"{written} version folder(s) written into corpus/{slug}/versions/ (uncovered text: {note}).", highlight=False)
