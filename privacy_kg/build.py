"""The build: corpus + ontology -> kg/.

Per company (independent, so it runs on any concurrent.futures Executor: a process pool here, a
cluster's executor elsewhere): map the tagged clauses to RDF, close the graph under OWL 2 RL, check
it is consistent, serialise it. Then the merged files are assembled from the per-company pieces.

kg/companies/<slug>.ttl   asserted triples (the diffable record of the tagging)
kg/inferred/<slug>.ttl    what OWL 2 RL adds about the company's resources
kg/privacy-kg.ttl         every company's asserted triples (Turtle documents concatenated)
kg/privacy-kg.nq          N-Quads: graph/<slug> = asserted + inferred; graph/ontology = the ontology
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from privacy_kg import export
from privacy_kg.corpus import CLAUSES_FILE, METADATA_FILE, TEXT_FILE, Company
from privacy_kg.mapping import company_graph
from privacy_kg.namespaces import ID, ONTOLOGY_GRAPH, company_graph as graph_name
from privacy_kg.ontology import ONTOLOGY_FILE, Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.project import Project
from privacy_kg.reason import close
from privacy_kg.statement_keys import KEYS_FILE, load_keys

COMPANIES_DIR, INFERRED_DIR = "companies", "inferred"
MERGED_TTL, MERGED_NQ = "privacy-kg.ttl", "privacy-kg.nq"
MANAGED = (COMPANIES_DIR, INFERRED_DIR)


class InconsistencyError(InputError):
    """The OWL 2 RL closure of a company graph is inconsistent: the data does not conform."""


@dataclass
class CompanyOutput:
    slug: str
    asserted: bytes  # Turtle
    inferred: bytes  # Turtle
    quads: bytes  # N-Quads of graph/<slug>: asserted + inferred, sorted
    problems: list[str]


@dataclass
class BuildResult:
    companies: list[CompanyOutput]
    outputs: dict[str, bytes]  # path relative to kg/ -> content


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _company_inputs(company: Company) -> list[Path]:
    return [company.directory / name for name in (TEXT_FILE, METADATA_FILE, CLAUSES_FILE)]


@lru_cache(maxsize=2)
def _vocabulary(ontology_dir: Path, mappings_dir: Path):
    vocab = Vocabulary.load(ontology_dir)
    return vocab, load_keys(mappings_dir, vocab)


def build_company(company: Company, ontology_dir: Path, mappings_dir: Path, shared_digest: str) -> CompanyOutput:
    """One company, from its loaded record to its serialised graphs. Runs in a worker process."""
    vocab, keys = _vocabulary(ontology_dir, mappings_dir)
    asserted = company_graph(company, vocab, keys)
    closure = close(asserted, vocab.graph, str(ID[company.slug]))
    sources = f"corpus/{company.slug}/ and ontology/"
    h = hashlib.sha256((shared_digest + digest(_company_inputs(company))).encode()).hexdigest()
    union = Graph() + asserted + closure.inferred
    return CompanyOutput(
        company.slug,
        export.turtle(asserted, sources, h),
        export.turtle(closure.inferred, sources + " (OWL 2 RL closure)", h),
        export.nquads([(graph_name(company.slug), union)]),
        closure.problems,
    )


def _without_header(turtle: bytes) -> bytes:
    return turtle.split(b"\n", export.GENERATED.count("\n"))[-1]


def build(project: Project, executor: Executor | None = None) -> BuildResult:
    """Load and check the corpus, map, reason and serialise. Raises InputError (bad input) or
    InconsistencyError before anything is written."""
    companies = project.companies()
    shared = digest([project.ontology_dir / ONTOLOGY_FILE, project.mappings_dir / KEYS_FILE])
    args = (project.ontology_dir, project.mappings_dir, shared)
    if executor is None:
        results = [build_company(c, *args) for c in companies]
    else:
        results = list(executor.map(build_company, companies, *([a] * len(companies) for a in args)))
    problems = [Problem(f"corpus/{r.slug}/{CLAUSES_FILE}", None, None, f"inconsistent: {p}") for r in results for p in r.problems]
    if problems:
        raise InconsistencyError(problems)
    outputs: dict[str, bytes] = {}
    for r in results:
        outputs[f"{COMPANIES_DIR}/{r.slug}.ttl"] = r.asserted
        outputs[f"{INFERRED_DIR}/{r.slug}.ttl"] = r.inferred
    every = digest([p for c in companies for p in _company_inputs(c)])
    header = export.GENERATED.format(sources="corpus/ and ontology/", digest=hashlib.sha256((shared + every).encode()).hexdigest())
    outputs[MERGED_TTL] = header.encode() + b"".join(_without_header(r.asserted) for r in results)
    outputs[MERGED_NQ] = b"".join(r.quads for r in results) + export.nquads([(ONTOLOGY_GRAPH, project.vocabulary.graph)])
    return BuildResult(results, outputs)


def write(project: Project, result: BuildResult) -> list[str]:
    return export.write_outputs(project.kg_dir, result.outputs, MANAGED)


def stale_files(project: Project, result: BuildResult) -> list[tuple[str, str]]:
    return export.differences(project.kg_dir, result.outputs, MANAGED)
