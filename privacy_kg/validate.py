"""Validation of the kg/ export: SHACL (ontology/shapes.ttl) and OWL 2 RL consistency, per company graph
(small graphs, any concurrent.futures Executor), plus a whole-export cross-check for small corpora.

Outputs (kg/validation/): report.ttl (the SHACL report graph), summary.json; and kg/coverage.csv, the
company x core-topic matrix (number of practices; 0 = silent)."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph

from privacy_kg import export
from privacy_kg.build import COMPANIES_DIR, INFERRED_DIR
from privacy_kg.namespaces import ID, PK
from privacy_kg.ontology import Vocabulary
from privacy_kg.project import Project
from privacy_kg.reason import close

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES_FILE = "shapes.ttl"
REPORT, SUMMARY, COVERAGE = "validation/report.ttl", "validation/summary.json", "coverage.csv"
WHOLE_EXPORT_LIMIT = 20  # companies: above this the whole-graph cross-check is opt-in (it does not scale)


@dataclass(frozen=True, order=True)
class Finding:
    company: str
    severity: str  # Violation | Warning | Info
    message: str
    focus: str
    path: str = ""
    value: str = ""
    quote: str = ""


@dataclass
class CompanyValidation:
    slug: str
    name: str
    findings: list[Finding]
    inconsistencies: list[str]
    coverage: dict[str, int]  # core topic label -> practices
    report: bytes  # the SHACL report graph, N-Triples


@dataclass
class Validation:
    companies: list[CompanyValidation]
    whole_export_agrees: bool | None = None  # None: not run
    disagreements: list[str] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return sum(f.severity == "Violation" for c in self.companies for f in c.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "Warning" for c in self.companies for f in c.findings)

    @property
    def inconsistent(self) -> int:
        return sum(bool(c.inconsistencies) for c in self.companies)

    @property
    def ok(self) -> bool:
        return not self.violations and not self.inconsistent and not self.disagreements


@lru_cache(maxsize=2)
def _inputs(ontology_dir: Path) -> tuple[Graph, Vocabulary]:
    return Graph().parse(ontology_dir / SHAPES_FILE), Vocabulary.load(ontology_dir)


def _text(term) -> str:
    return "" if term is None else str(term)


def findings_of(report: Graph, data: Graph, company: str) -> list[Finding]:
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        clause = focus if (focus, RDF.type, PK.Clause) in data else data.value(focus, PK.hasEvidence)
        quote = data.value(clause, PK.quote) if clause is not None else None
        path = report.value(result, SH.resultPath)
        found.append(Finding(
            company,
            _text(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            _text(report.value(result, SH.resultMessage)),
            _text(focus),
            _text(path) if isinstance(path, URIRef) else "",
            _text(report.value(result, SH.value)),
            " ".join(_text(quote).split()),
        ))
    return sorted(found)


def shacl(data: Graph, shapes: Graph) -> Graph:
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return report


def coverage(data: Graph, vocab: Vocabulary) -> dict[str, int]:
    return {vocab.label(t): len(set(data.subjects(RDF.type, t))) for t in vocab.core_topics}


def validate_company(slug: str, kg_dir: Path, ontology_dir: Path) -> CompanyValidation:
    """One company graph with its closure: SHACL and OWL 2 RL consistency. Runs in a worker process."""
    shapes, vocab = _inputs(ontology_dir)
    asserted = Graph().parse(kg_dir / COMPANIES_DIR / f"{slug}.ttl")
    data = Graph() + asserted
    data.parse(kg_dir / INFERRED_DIR / f"{slug}.ttl")
    report = shacl(data, shapes)
    name = _text(data.value(ID[slug], RDFS.label)) or slug
    closure = close(asserted, vocab.graph, str(ID[slug]))
    return CompanyValidation(slug, name, findings_of(report, data, slug), closure.problems,
                             coverage(data, vocab), report.serialize(format="nt").encode())


def company_slugs(kg_dir: Path) -> list[str]:
    return sorted(p.stem for p in (kg_dir / COMPANIES_DIR).glob("*.ttl"))


def validate(project: Project, executor: Executor | None = None, whole: bool | None = None) -> Validation:
    kg_dir = project.kg_dir
    slugs = company_slugs(kg_dir)
    if not slugs:
        raise FileNotFoundError(f"{kg_dir / COMPANIES_DIR} holds no company graph: run `privacy-kg build` first")
    args = ([kg_dir] * len(slugs), [project.ontology_dir] * len(slugs))
    results = list(executor.map(validate_company, slugs, *args)) if executor else [validate_company(s, kg_dir, project.ontology_dir) for s in slugs]
    validation = Validation(results)
    if whole if whole is not None else len(slugs) <= WHOLE_EXPORT_LIMIT:
        cross_check(project, validation)
    return validation


def cross_check(project: Project, validation: Validation) -> None:
    """Validate the whole export at once and compare with the union of the per-company results."""
    shapes, _ = _inputs(project.ontology_dir)
    data = Graph()
    for c in validation.companies:
        data.parse(project.kg_dir / COMPANIES_DIR / f"{c.slug}.ttl")
        data.parse(project.kg_dir / INFERRED_DIR / f"{c.slug}.ttl")
    whole = {(f.severity, f.message, f.focus, f.path, f.value) for f in findings_of(shacl(data, shapes), data, "")}
    parts = {(f.severity, f.message, f.focus, f.path, f.value) for c in validation.companies for f in c.findings}
    validation.disagreements = [f"only in the whole-export run: {x}" for x in sorted(whole - parts)] + \
                               [f"only in the per-company runs: {x}" for x in sorted(parts - whole)]
    validation.whole_export_agrees = not validation.disagreements


# -- outputs ---------------------------------------------------------------------------------------

def report_graph(validation: Validation) -> bytes:
    """One SHACL validation report for the whole export, canonically labelled so it is byte-stable."""
    merged = Graph()
    for c in validation.companies:
        merged.parse(data=c.report.decode(), format="nt")
    for report in list(merged.subjects(RDF.type, SH.ValidationReport)):
        merged.remove((report, None, None))
    root = URIRef("https://w3id.org/privacy-kg/validation/report")
    merged.add((root, RDF.type, SH.ValidationReport))
    merged.add((root, SH.conforms, Literal(validation.violations == 0)))
    for result in list(merged.subjects(RDF.type, SH.ValidationResult)):
        merged.add((root, SH.result, result))
    lines = sorted(set(to_canonical_graph(merged).serialize(format="nt").splitlines()))
    body = "\n".join(line for line in lines if line.strip()) + "\n"
    return ("# Generated by `privacy-kg validate` from kg/ and ontology/shapes.ttl: do not edit.\n" + body).encode()


def summary(validation: Validation) -> bytes:
    data = {
        "conforms": validation.ok,
        "violations": validation.violations,
        "warnings": validation.warnings,
        "inconsistent_companies": validation.inconsistent,
        "whole_export_agrees": validation.whole_export_agrees,
        "disagreements": validation.disagreements,
        "companies": [
            {"slug": c.slug, "name": c.name, "inconsistencies": c.inconsistencies,
             "findings": [asdict(f) for f in c.findings]}
            for c in validation.companies
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def coverage_csv(validation: Validation) -> bytes:
    topics = list(validation.companies[0].coverage) if validation.companies else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["company", *topics])
    for c in validation.companies:
        writer.writerow([c.name, *(c.coverage[t] for t in topics)])
    return buffer.getvalue().encode()


def write(project: Project, validation: Validation) -> None:
    # the report serialises as sorted N-Triples (a subset of Turtle), the only layout rdflib keeps stable
    for rel, data in ((REPORT, report_graph(validation)), (SUMMARY, summary(validation)), (COVERAGE, coverage_csv(validation))):
        export.write_atomically(project.kg_dir / rel, data)
