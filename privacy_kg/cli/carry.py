"""`privacy-kg carry`: carry a tagged version's clauses to another version's text, for review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from privacy_kg.cli.common import RootOption, fail_on_input_error, out, project
from privacy_kg.problems import InputError


def drafting_model(proj, draft: bool, models: Path | None):
    """The trained tagging model that drafts clauses for uncovered text, if asked for and there is one; and
    a note saying which."""
    if draft:
        try:
            from privacy_kg.tagger import load_model, models_dir
            return load_model(models or models_dir(proj.root)), "drafted proposed clauses for them"
        except (ImportError, InputError):
            pass
    return None, "no trained model: uncovered spans listed only"


def register(app: typer.Typer) -> None:
    @app.command()
    def carry(
        source: Annotated[Path, typer.Argument(help="The tagged version: a folder with policy.txt, metadata.yaml, clauses.yaml.")],
        target: Annotated[Path, typer.Argument(help="The other version's text (UTF-8).")],
        out_dir: Annotated[Path, typer.Option("--out", help="The folder of the target version (its name is the slug).")],
        threshold: Annotated[Optional[float], typer.Option("--threshold", min=0.0, max=1.0, help="Similarity from which an edited passage is the clause, changed (default 0.8).")] = None,
        draft: Annotated[bool, typer.Option("--draft/--no-draft", help="Draft proposed clauses for the new uncovered text when a trained model exists.")] = True,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing clauses.yaml in --out.")] = False,
        models: Annotated[Optional[Path], typer.Option("--models", help="Where the tagging model is cached (default local/models/).")] = None,
        root: RootOption = None,
    ) -> None:
        """Re-anchor each clause on the new text (carried / changed / absent / ambiguous); write clauses.yaml and carry-report.json/.md."""
        from privacy_kg.carry_output import carry_version
        proj = project(root)
        model, note = drafting_model(proj, draft, models)
        try:
            result, written = carry_version(proj, source, target, out_dir, force, threshold, model)
        except InputError as error:
            fail_on_input_error(error)
        counts = ", ".join(f"{len(result.by_status(s))} {s}" for s in ("carried", "changed", "absent", "ambiguous"))
        out.print(f"{written.folder}: {counts}; {len(result.uncovered)} new sentences uncovered ({note}). "
                  f"Review {written.folder}/carry-report.md.", highlight=False)
