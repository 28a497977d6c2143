from __future__ import annotations

from typing import Annotated

import typer

from privacy_kg import profile_sparql, tagdocs
from privacy_kg.cli.common import RootOption, err, out, project
from privacy_kg.export import write_atomically

TAGS_DOC = "docs/tags.md"


def register(app: typer.Typer) -> None:
    @app.command()
    def docs(
        root: RootOption = None,
        check: Annotated[bool, typer.Option("--check", help="Exit 1 if a generated file is out of date.")] = False,
    ) -> None:
        """Regenerate docs/tags.md (the tag vocabulary) from the ontology, and the regulatory shapes
        (ontology/regulatory-shapes.ttl) and stored query (queries/regulatory-silence.rq) from
        mappings/regulatory-profiles.yaml."""
        proj = project(root)
        files = {TAGS_DOC: tagdocs.render(proj.vocabulary, proj.keys), **profile_sparql.generated_files(proj)}
        if check:
            stale = [rel for rel, text in files.items()
                     if not (proj.root / rel).exists() or (proj.root / rel).read_bytes() != text.encode("utf-8")]
            for rel in stale:
                err.print(f"{rel} is out of date; run `privacy-kg docs`.")
            if stale:
                raise typer.Exit(1)
            out.print(f"{', '.join(files)} are up to date.")
            return
        for rel, text in files.items():
            write_atomically(proj.root / rel, text.encode("utf-8"))
        out.print(f"wrote {', '.join(files)}")
