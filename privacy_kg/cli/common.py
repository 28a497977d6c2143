"""Options and error handling shared by the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from privacy_kg.problems import InputError
from privacy_kg.project import Project

out = Console()
err = Console(stderr=True)

RootOption = Annotated[Optional[Path], typer.Option("--root", help="Project folder (default: $PRIVACY_KG_ROOT or the current folder).")]
CompanyOption = Annotated[Optional[list[str]], typer.Option("--company", "-c", help="Only this company (repeatable).")]


def project(root: Path | None) -> Project:
    return Project.find(root)


def fail_on_input_error(error: InputError) -> None:
    err.print(f"[bold red]error:[/] {len(error.problems)} problem(s) in the input; nothing was written.", highlight=False)
    for problem in error.problems:
        err.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(2)
