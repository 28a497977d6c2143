from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from privacy_kg import validate as validation
from privacy_kg.cli.common import DEFAULT_JOBS, LOCAL, ExecutorOption, ExtraKgOption, JobsOption, RootOption, err, executor, out, project

SEVERITY_STYLE = {"Violation": "bold red", "Warning": "yellow", "Info": "cyan"}


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        root: RootOption = None,
        jobs: JobsOption = DEFAULT_JOBS,
        executor_spec: ExecutorOption = LOCAL,
        whole: Annotated[Optional[bool], typer.Option("--whole/--no-whole", help="Also validate the whole export at once and compare (default: when at most 20 companies).")] = None,
        extra: ExtraKgOption = None,
    ) -> None:
        """Validate kg/ (and each --extra-kg folder): SHACL shapes and OWL 2 RL consistency per company (and per
        earlier version in kg/history/: violations only); write each folder's report and coverage matrix into it."""
        proj = project(root)
        ok = True
        with executor(jobs, executor_spec) as pool:
            for folder in [proj.kg_dir, *(extra or [])]:
                ok &= _validate(proj, folder, pool, whole)
        if not ok:
            raise typer.Exit(1)


def _validate(proj, folder: Path, pool, whole: bool | None) -> bool:
    """Validate one export folder, print its findings and write its report there; True if it conforms."""
    try:
        result = validation.validate(proj, pool, whole, folder)
    except FileNotFoundError as e:
        err.print(f"error: {e}")
        raise typer.Exit(2)
    for c in result.companies:
        counts = {s: sum(f.severity == s for f in c.findings) for s in SEVERITY_STYLE}
        where = c.slug if c.version is None else f"{c.slug}/versions/{c.version}"
        out.print(f"[bold]{c.name}[/] ({where}): {counts['Violation']} violation(s), {counts['Warning']} warning(s)"
                  + (f", [bold red]inconsistent[/]" if c.inconsistencies else ""))
        for problem in c.inconsistencies:
            out.print(f"  [bold red]inconsistent[/] {problem}", highlight=False)
        for severity in SEVERITY_STYLE:
            for f in (f for f in c.findings if f.severity == severity):
                where = f" at <{f.focus}>" if severity == "Violation" else ""
                out.print(f"  [{SEVERITY_STYLE[severity]}]{severity.lower()}[/] {f.message}{where}", highlight=False)
                if f.quote:
                    out.print(f'      "{f.quote[:200]}"', highlight=False, markup=False)
    for line in result.disagreements:
        out.print(f"[bold red]cross-check[/] {line}", highlight=False)
    if result.whole_export_agrees:
        out.print("whole-export validation agrees with the per-company runs.")
    validation.write(folder, result)
    shown = folder.resolve().relative_to(proj.root) if folder.resolve().is_relative_to(proj.root) else folder
    out.print(f"{shown}: {result.violations} violation(s), {result.warnings} warning(s), {result.inconsistent} inconsistent "
              f"company graph(s); wrote {shown}/{validation.REPORT}, {shown}/{validation.SUMMARY}, {shown}/{validation.COVERAGE}.",
              highlight=False)
    return result.ok
