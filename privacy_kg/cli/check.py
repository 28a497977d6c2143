from __future__ import annotations

import typer

from privacy_kg.cli.common import CompanyOption, RootOption, fail_on_input_error, out, project
from privacy_kg.problems import InputError


def register(app: typer.Typer) -> None:
    @app.command()
    def check(root: RootOption = None, company: CompanyOption = None) -> None:
        """Check the corpus: every tag against the ontology, every quote against its text, in the current
        version of each policy and in its earlier versions (versions/<date>/). Writes nothing."""
        try:
            companies = project(root).companies(company, versions=True)
        except InputError as error:
            fail_on_input_error(error)
        for c in companies:
            statements = sum(len(cl.statements) for cl in c.clauses)
            out.print(f"{c.label}: {len(c.clauses)} clauses, {statements} statements: ok", highlight=False)
