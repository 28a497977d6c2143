from __future__ import annotations

from typing import Annotated

import typer

from privacy_kg import build as building
from privacy_kg.cli.common import DEFAULT_JOBS, LOCAL, ExecutorOption, JobsOption, RootOption, err, executor, fail_on_input_error, out, project
from privacy_kg.problems import InputError


def register(app: typer.Typer) -> None:
    @app.command()
    def build(
        root: RootOption = None,
        check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 and list the files when kg/ is stale.")] = False,
        jobs: JobsOption = DEFAULT_JOBS,
        executor_spec: ExecutorOption = LOCAL,
        full: Annotated[bool, typer.Option("--full", help="Rebuild every company (default: only those whose inputs or the build code changed; --check always rebuilds all).")] = False,
    ) -> None:
        """Build kg/ from corpus/ and ontology/: map, reason (OWL 2 RL), check consistency, export (earlier
        versions of a policy, corpus/<slug>/versions/<date>/, into kg/history/<slug>/<date>.nq)."""
        proj = project(root)
        try:
            with executor(jobs, executor_spec) as pool:
                result = building.build(proj, pool, incremental=not (full or check))
        except building.InconsistencyError as error:
            fail_on_input_error(error, exit_code=1)
        except InputError as error:
            fail_on_input_error(error)
        if check:
            stale = building.stale_files(proj, result)
            for rel, status in stale:
                err.print(f"kg/{rel}: {status}", highlight=False)
            result.outputs.discard()
            if stale:
                err.print(f"kg/ is stale ({len(stale)} file(s)); run `privacy-kg build` and commit kg/.")
                raise typer.Exit(1)
            out.print(f"kg/ is up to date ({len(result.outputs)} files).")
            return
        changed = building.write(proj, result)
        companies = len(result.companies) - result.versions
        versions = f" and {result.versions} earlier version(s)" if result.versions else ""
        out.print(f"built {companies} companies{versions} into kg/: {len(changed)} file(s) changed.")
