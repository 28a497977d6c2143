from __future__ import annotations

from typing import Annotated

import typer

from privacy_kg import tagdocs
from privacy_kg.cli.common import RootOption, err, out, project
from privacy_kg.export import write_atomically

TAGS_DOC = "docs/tags.md"


def register(app: typer.Typer) -> None:
    @app.command()
    def docs(
        root: RootOption = None,
        check: Annotated[bool, typer.Option("--check", help="Exit 1 if docs/tags.md is out of date.")] = False,
    ) -> None:
        """Regenerate docs/tags.md (the tag vocabulary) from the ontology."""
        proj = project(root)
        text = tagdocs.render(proj.vocabulary, proj.keys).encode("utf-8")
        path = proj.root / TAGS_DOC
        if check:
            if not path.exists() or path.read_bytes() != text:
                err.print(f"{TAGS_DOC} is out of date; run `privacy-kg docs`.")
                raise typer.Exit(1)
            out.print(f"{TAGS_DOC} is up to date.")
            return
        write_atomically(path, text)
        out.print(f"wrote {TAGS_DOC}")
