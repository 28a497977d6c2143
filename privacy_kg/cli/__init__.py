"""The `privacy-kg` command: a thin layer over the library; one module per command.

Exit codes: 0 ok; 1 the data does not conform, or kg/ is stale; 2 usage or input error."""

from __future__ import annotations

import typer

from privacy_kg.cli import build, carry, check, docs, import_, load, query, report, serve, stats, tag, validate

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.callback()
def _group() -> None:
    """privacy-kg: build, validate and query a knowledge graph of privacy-policy practices."""


for module in (check, build, validate, stats, docs, query, load, serve, report, import_, tag, carry):
    module.register(app)


def main() -> None:
    app()
