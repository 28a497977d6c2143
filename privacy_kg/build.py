"""The build: corpus + ontology -> the kg/ export (per-company Turtle, merged Turtle, N-Quads)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from privacy_kg import export
from privacy_kg.corpus import CLAUSES_FILE, METADATA_FILE, TEXT_FILE, Company
from privacy_kg.mapping import company_graph, new_graph
from privacy_kg.namespaces import ONTOLOGY_GRAPH, company_graph as graph_name
from privacy_kg.ontology import ONTOLOGY_FILE
from privacy_kg.project import Project
from privacy_kg.statement_keys import KEYS_FILE

COMPANIES_DIR = "companies"
MERGED_TTL = "privacy-kg.ttl"
MERGED_NQ = "privacy-kg.nq"
MANAGED = (COMPANIES_DIR,)


@dataclass
class BuildResult:
    graphs: dict[str, Graph]  # slug -> asserted company graph
    outputs: dict[str, bytes]  # path relative to kg/ -> content


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _shared_inputs(project: Project) -> list[Path]:
    return [project.ontology_dir / ONTOLOGY_FILE, project.mappings_dir / KEYS_FILE]


def _company_inputs(company: Company) -> list[Path]:
    return [company.directory / name for name in (TEXT_FILE, METADATA_FILE, CLAUSES_FILE)]


def build(project: Project) -> BuildResult:
    """Load and check the whole corpus, map it, serialise it. Raises InputError before writing anything."""
    companies = project.companies()
    vocab, keys = project.vocabulary, project.keys
    shared = _shared_inputs(project)
    graphs: dict[str, Graph] = {}
    outputs: dict[str, bytes] = {}
    merged = new_graph()
    for company in companies:
        g = company_graph(company, vocab, keys)
        graphs[company.slug] = g
        digest = _digest(shared + _company_inputs(company))
        outputs[f"{COMPANIES_DIR}/{company.slug}.ttl"] = export.turtle(g, f"corpus/{company.slug}/ and ontology/", digest)
        merged += g
    every_input = shared + [p for c in companies for p in _company_inputs(c)]
    outputs[MERGED_TTL] = export.turtle(merged, "corpus/ and ontology/", _digest(every_input))
    outputs[MERGED_NQ] = export.nquads(
        [(graph_name(slug), g) for slug, g in graphs.items()] + [(ONTOLOGY_GRAPH, project.vocabulary.graph)]
    )
    return BuildResult(graphs, outputs)


def write(project: Project, result: BuildResult) -> list[str]:
    return export.write_outputs(project.kg_dir, result.outputs, MANAGED)


def stale_files(project: Project, result: BuildResult) -> list[tuple[str, str]]:
    return export.differences(project.kg_dir, result.outputs, MANAGED)
