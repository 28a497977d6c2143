"""Options and error handling shared by the commands."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console

from privacy_kg.executors import LOCAL, ExecutorError, joblib_backend, open_executor
from privacy_kg.problems import InputError
from privacy_kg.project import Project
from privacy_kg.safe_output import has_userinfo, safe

out = Console()
err = Console(stderr=True)

RootOption = Annotated[Optional[Path], typer.Option("--root", help="Project folder (default: $PRIVACY_KG_ROOT or the current folder).")]
CompanyOption = Annotated[Optional[list[str]], typer.Option("--company", "-c", help="Only this company (repeatable).")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes for per-company work (1: in this process).")]
ExtraKgOption = Annotated[Optional[list[Path]], typer.Option("--extra-kg", help="Also this export folder (holding quads/), e.g. local/opp115 from `privacy-kg import opp115` (repeatable).")]
ExecutorOption = Annotated[str, typer.Option("--executor", help="Where per-company work runs: 'local' (a pool of --jobs processes) or 'dask://HOST:PORT' (a dask.distributed scheduler, whose workers must see the project's folders at the same paths; pip install -e '.[dask]').")]
StoreOption = Annotated[Optional[Path], typer.Option("--store", help="Use (and keep) the on-disk store in this folder, e.g. local/store (default: in memory), kept in step with the export incrementally; one folder serves query, stats, report and serve. A new or empty folder, or one privacy-kg made (anything else is refused, exit 2).")]
DEFAULT_JOBS = os.cpu_count() or 1


USER_ENV, PASSWORD_ENV = "PRIVACY_KG_USER", "PRIVACY_KG_PASSWORD"


def credentials() -> tuple[str, str] | None:
    """From the environment only, never from the command line (which lands in shell history)."""
    user = os.environ.get(USER_ENV)
    if not user and os.environ.get(PASSWORD_ENV):
        fail(f"${PASSWORD_ENV} is set but ${USER_ENV} is not: set both, or neither")
    return (user, os.environ.get(PASSWORD_ENV, "")) if user else None


def endpoint_url(url: str, option: str = "--endpoint") -> str:
    """A server URL of an option, refused when it holds credentials (user:password@), which belong in
    the environment: a URL is echoed in messages and lands in shell history."""
    if has_userinfo(url):
        fail(f"{option} {url} holds credentials: remove user:password@ from the URL and set "
             f"${USER_ENV} / ${PASSWORD_ENV} instead")
    return url


def fail(message: object, exit_code: int = 2) -> None:
    """Print `error: message` on one line (URLs redacted, control characters escaped) and exit."""
    err.print(f"error: {safe(message)}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(exit_code)


def project(root: Path | None) -> Project:
    return Project.find(root)


@contextmanager
def executor(jobs: int, spec: str = LOCAL) -> Iterator[Executor | None]:
    """Where per-company work runs (--executor): a pool of `jobs` processes (None: in this process) or a dask
    scheduler's workers; a bad value or an unreachable scheduler is a one-line error, exit 2."""
    try:
        with open_executor(spec, jobs) as pool:
            yield pool
    except ExecutorError as error:  # raised only on entering: the work itself raises other errors
        fail(error)


@contextmanager
def joblib_executor(spec: str) -> Iterator[None]:
    """Where joblib-parallel work runs (the tagger's --executor): here, or on a dask scheduler's workers."""
    try:
        with joblib_backend(spec):
            yield
    except ExecutorError as error:
        fail(error)


def fail_on_input_error(error: InputError, exit_code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {len(error.problems)} problem(s); nothing was written.", highlight=False)
    for problem in error.problems:
        err.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(exit_code)
