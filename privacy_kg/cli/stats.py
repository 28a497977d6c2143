from __future__ import annotations

import typer
from rich.table import Table

from privacy_kg import stats as statistics
from privacy_kg.cli.common import ExtraKgOption, RootOption, StoreOption, fail, out, project
from privacy_kg.owned_folders import FolderError
from privacy_kg.store import ExportSyntaxError, open_store


def register(app: typer.Typer) -> None:
    @app.command()
    def stats(extra: ExtraKgOption = None, store_dir: StoreOption = None, root: RootOption = None) -> None:
        """Summarise the built graph: companies, clauses, practices by topic and modality, triples."""
        proj = project(root)
        try:
            store = open_store(proj.kg_dir, store_dir, extra or [])
        except (FileNotFoundError, FolderError, ExportSyntaxError) as e:
            fail(e)
        s = statistics.compute(store)
        companies = Table("company", "clauses", "practices", "triples", title=f"{len(s.companies)} companies")
        for c in s.companies:
            companies.add_row(c["name"], str(c["clauses"]), str(c["practices"]), str(s.triples.get(c["graph"], 0)))
        out.print(companies)
        modalities = sorted({r["modality"] for r in s.by_topic})
        topics = Table("topic", *modalities, "total", title="practices by topic and modality")
        for topic in sorted({r["topic"] for r in s.by_topic}):
            counts = {r["modality"]: r["practices"] for r in s.by_topic if r["topic"] == topic}
            topics.add_row(topic, *(str(counts.get(m, 0)) for m in modalities), str(sum(counts.values())))
        out.print(topics)
        out.print(f"triples: {s.total_triples} in {len(s.triples)} named graphs (ontology included)")
