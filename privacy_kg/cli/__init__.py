"""The `privacy-kg` command: a thin layer over the library; one module per command.

Exit codes: 0 ok; 1 the data does not conform, kg/ is stale, or `query --check` found a difference; 2 usage,
input or server error; 130 interrupted (Ctrl-C).

Outputs switch atomically: `build` (kg/) and `import` (--out) stage the new generation beside the folder and
switch it with a journal that the next command completes, so an interrupt or kill leaves it all old or all
new. `--store DIR` clears or reuses only a folder privacy-kg created (its marker file); `import --out DIR`
removes only files its earlier import listed (import-manifest.json) and refuses any other or git-tracked
folder."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from privacy_kg.cli import build, carry, check, docs, history, import_, load, query, report, serve, stats, tag, validate
from privacy_kg.cli.common import fail_on_input_error
from privacy_kg.problems import InputError


class _Commands(TyperGroup):
    """Any command that meets bad input it does not handle itself (a syntax error in the ontology or the
    mapping table, read by every command) reports it like `check` does: one line per problem, exit 2,
    never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            fail_on_input_error(error)


app = typer.Typer(cls=_Commands, no_args_is_help=True, add_completion=False, help="\n\n".join(" ".join(p.split()) for p in __doc__.split("\n\n")[1:]))


@app.callback()
def _group() -> None:
    """privacy-kg: build, validate and query a knowledge graph of privacy-policy practices."""


for module in (check, build, validate, stats, docs, query, load, serve, report, import_, tag, carry, history):
    module.register(app)


def main() -> None:
    app()
