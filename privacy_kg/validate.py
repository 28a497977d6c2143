"""Validation of the kg/ export: SHACL (ontology/shapes.ttl) and OWL 2 RL consistency, per company graph
(small graphs, any concurrent.futures Executor), plus a whole-export cross-check for small corpora.

Per company, the graph is read with Oxigraph's parser; the shapes run on the compiled engine (shacl.py)
and consistency on the compiled closure (closure.py); pyshacl and owlrl remain the reference and take
over when the fast paths do not cover the shapes or the graph. The whole-export cross-check is pyshacl.

Earlier versions of a policy (kg/history/<slug>/<date>.nq) are validated the same way, and reported for
their violations and inconsistencies only: the completeness warnings (silent on a core topic), the coverage
matrix and the regulatory profiles are about the policy in force now.

The shapes are ontology/shapes.ttl (structure, vocabulary, topic coverage) and ontology/regulatory-shapes.ttl
(the regulatory completeness profiles, generated from mappings/regulatory-profiles.yaml), read by
`shapes_graph`.

Outputs (kg/validation/): report.ttl (the SHACL report graph), summary.json; kg/coverage.csv, the company x
core-topic matrix (number of practices; 0 = silent); and kg/compliance.csv, the company x required-item
matrix of the regulatory profiles (stated / silent / not applicable / not in scope)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from privacy_kg import atomic_export, compliance, export, long_lived, shacl as engine
from privacy_kg.build import COMPANIES_DIR, HISTORY_DIR, INFERRED_DIR, company_namespaces, to_graph
from privacy_kg.closure import plain_triples, term
from privacy_kg.executors import chunksize
from privacy_kg.namespaces import ID, PK
from privacy_kg.ontology import Vocabulary
from privacy_kg.project import Project
from privacy_kg.rdfwrite import nt_term
from privacy_kg.reason import close, close_triples

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES_FILES = ("shapes.ttl", "regulatory-shapes.ttl")
REPORT, SUMMARY, COVERAGE, COMPLIANCE = "validation/report.ttl", "validation/summary.json", "coverage.csv", "compliance.csv"
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
    profile: str = ""  # the regulatory profile whose item the finding is silent on ("" for the other shapes)


@dataclass
class CompanyValidation:
    slug: str
    name: str
    findings: list[Finding]
    inconsistencies: list[str]
    coverage: dict[str, int]  # core topic label -> practices
    report: bytes  # the SHACL results, N-Triples lines with content-derived blank node labels
    version: str | None = None  # an earlier version's date (violations only; no coverage)
    compliance: dict[str, dict[str, str]] = field(default_factory=dict)  # profile id -> item id -> status


@dataclass
class Validation:
    companies: list[CompanyValidation]  # the current versions, then the earlier ones
    profiles: tuple[compliance.ProfileSpec, ...] = ()
    whole_export_agrees: bool | None = None  # None: not run
    disagreements: list[str] = field(default_factory=list)

    @property
    def current(self) -> list[CompanyValidation]:
        return [c for c in self.companies if c.version is None]

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
    def shacl_conforms(self) -> bool:
        """sh:conforms (SHACL 3.6.1): no validation result at all, whatever its severity."""
        return not any(c.findings for c in self.companies)

    @property
    def ok(self) -> bool:
        """What the exit code says: no violation (warnings and infos pass), no inconsistency, no disagreement."""
        return not self.violations and not self.inconsistent and not self.disagreements


def shapes_graph(ontology_dir: Path) -> Graph:
    """Every shape validation runs: the one loader of the shapes files."""
    graph = Graph()
    for name in SHAPES_FILES:
        path = ontology_dir / name
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing" + (": run `privacy-kg docs`" if name != SHAPES_FILES[0] else ""))
        graph.parse(path, format="turtle")
    return graph


def _stamp(ontology_dir: Path) -> tuple:
    """The shapes' and ontology's sizes and times: the caches below follow edits (forked workers too)."""
    paths = [*(ontology_dir / n for n in SHAPES_FILES), ontology_dir / "privacy-kg.ttl"]
    return tuple((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else None for p in paths)


def _inputs(ontology_dir: Path) -> tuple[Graph, Vocabulary, tuple[compliance.ProfileSpec, ...]]:
    return _inputs_cached(ontology_dir, _stamp(ontology_dir))


@long_lived.cache(maxsize=2)
def _inputs_cached(ontology_dir: Path, stamp: tuple) -> tuple[Graph, Vocabulary, tuple[compliance.ProfileSpec, ...]]:
    shapes = shapes_graph(ontology_dir)
    return shapes, Vocabulary.load(ontology_dir), compliance.profiles_of(shapes)


def _compiled(ontology_dir: Path) -> engine.CompiledShapes | None:
    return _compiled_cached(ontology_dir, _stamp(ontology_dir))


@long_lived.cache(maxsize=2)
def _compiled_cached(ontology_dir: Path, stamp: tuple) -> engine.CompiledShapes | None:
    try:
        return engine.CompiledShapes(_inputs(ontology_dir)[0])
    except engine.Unsupported:
        return None


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


def read_graph(path: Path) -> set[tuple]:
    """A Turtle file as closure.term triples, read with Oxigraph's parser."""
    return {(t.subject.value if isinstance(t.subject, ox.NamedNode) else engine.from_ox(t.subject), t.predicate.value,
             engine.from_ox(t.object)) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}


def check(slug: str, asserted: set[tuple], inferred: set[tuple], ontology_dir: Path,
          violations_only: bool = False) -> CompanyValidation:
    """SHACL and OWL 2 RL consistency of one company graph (asserted + inferred triples); with
    `violations_only`, the warnings and infos are left out."""
    shapes, vocab, profiles = _inputs(ontology_dir)
    data = asserted | inferred
    compiled = _compiled(ontology_dir)
    store = engine.to_store(data)  # for the SPARQL-based shapes and the profiles' applicability queries
    if compiled is not None:
        try:
            results, source = compiled.validate(data, store), shapes
        except engine.Unsupported:
            compiled = None
    if compiled is None:
        report = shacl(to_graph(data, company_namespaces(slug)), shapes)
        results, source = results_of(report), report
    if violations_only:
        results = [r for r in results if r.severity == SH.Violation]
    index = engine.Index(data, strict=False)
    company = str(ID[slug])
    name = next((str(o) for s, p, o in data if s == company and p == str(RDFS.label)), slug)
    fast = close_triples(asserted, vocab.graph, company)
    problems = fast[1] if fast is not None else close(to_graph(asserted, company_namespaces(slug)), vocab.graph, company).problems
    matrix = compliance.statuses(profiles, company, index.objects(company, engine.TYPE),
                                 {str(r.shape) for r in results if r.focus == company}, store)
    profile_of = compliance.profile_of_shape(profiles)
    return CompanyValidation(slug, name, sorted(_finding(r, index, slug, profile_of.get(str(r.shape), "")) for r in results),
                             problems, coverage_of(index, vocab), ("".join(report_lines(results, source))).encode("utf-8"), compliance=matrix)


def validate_company(slug: str, kg_dir: Path, ontology_dir: Path) -> CompanyValidation:
    """One company graph with its closure, as written in kg/. Runs in a worker process."""
    return check(slug, read_graph(kg_dir / COMPANIES_DIR / f"{slug}.ttl"), read_graph(kg_dir / INFERRED_DIR / f"{slug}.ttl"), ontology_dir)


def validate_version(version: tuple[str, str], kg_dir: Path, ontology_dir: Path) -> CompanyValidation:
    """An earlier version's graph (asserted and inferred together in kg/history/<slug>/<date>.nq, closed again
    for the consistency check, which adds nothing to a closed graph): its violations. Runs in a worker."""
    slug, date = version
    data = {(q.subject.value if isinstance(q.subject, ox.NamedNode) else engine.from_ox(q.subject), q.predicate.value,
             engine.from_ox(q.object)) for q in ox.parse(path=str(kg_dir / HISTORY_DIR / slug / f"{date}.nq"),
                                                         format=ox.RdfFormat.N_QUADS)}
    result = check(slug, data, set(), ontology_dir, violations_only=True)
    return CompanyValidation(slug, f"{result.name} (version {date})", result.findings, result.inconsistencies, {},
                             result.report, date)


def coverage_of(index: engine.Index, vocab: Vocabulary) -> dict[str, int]:
    return {vocab.label(t): len(index.subjects(engine.TYPE, str(t))) for t in vocab.core_topics}


def _finding(r: engine.Result, data: engine.Index, company: str, profile: str = "") -> Finding:
    focus = r.focus
    clause = focus if data.is_a(focus, str(PK.Clause)) else next(iter(sorted(data.objects(focus, str(PK.hasEvidence)), key=str)), None)
    quote = next(iter(data.objects(clause, str(PK.quote))), None) if clause is not None else None
    return Finding(company, str(r.severity).rsplit("#", 1)[-1], r.message, _text(focus),
                   str(r.path) if isinstance(r.path, URIRef) else "",
                   _text(r.value), " ".join(_text(quote).split()), profile)


def results_of(report: Graph) -> list[engine.Result]:
    """pyshacl's report graph as engine results (the report graph is then their blank nodes' source)."""
    found = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        v = report.value
        found.append(engine.Result(term(v(r, SH.focusNode)), v(r, SH.resultSeverity), v(r, SH.sourceConstraintComponent),
                                   v(r, SH.sourceShape), str(v(r, SH.resultMessage) or ""), v(r, SH.resultPath),
                                   None if v(r, SH.value) is None else term(v(r, SH.value)), v(r, SH.sourceConstraint)))
    return found


# -- the report as N-Triples with labels derived from content (byte-stable, and fast) -----------------

def _copy(node, source: Graph, prefix: str, lines: list[str]) -> str:
    """Write a blank node's description (recursively) under a content-derived label; return the label."""
    if not isinstance(node, BNode):
        return nt_term(term(node))
    inner = []
    for p, o in sorted(source.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]) if not isinstance(po[1], BNode) else "")):
        inner.append((str(p), _copy(o, source, prefix, lines)))
    label = f"_:{prefix}{hashlib.sha1(repr(inner).encode()).hexdigest()[:20]}"
    lines += [f"{label} <{p}> {o} .\n" for p, o in inner]
    return label


def report_lines(results: list[engine.Result], source: Graph) -> list[str]:
    lines: list[str] = []
    seen: Counter = Counter()
    rows = []
    for r in results:
        shape_lines: list[str] = []
        fields = [(SH.focusNode, nt_term(r.focus)), (SH.resultMessage, nt_term(Literal(r.message))),
                  (SH.resultSeverity, nt_term(r.severity)), (SH.sourceConstraintComponent, nt_term(r.component))]
        key = repr(fields) + repr(r.shape if not isinstance(r.shape, BNode) else "") + repr(r.value) + repr(r.path if not isinstance(r.path, BNode) else "")
        label = "r" + hashlib.sha1(key.encode()).hexdigest()[:24]
        seen[label] += 1
        label = f"{label}{seen[label]}"
        fields.append((SH.sourceShape, _copy(r.shape, source, label + "s", shape_lines)))
        if r.path is not None:
            fields.append((SH.resultPath, _copy(r.path, source, label + "p", shape_lines)))
        if r.value is not None:
            fields.append((SH.value, nt_term(r.value)))
        if r.constraint is not None:
            fields.append((SH.sourceConstraint, _copy(r.constraint, source, label + "c", shape_lines)))
        rows.append(f"_:{label} <{RDF.type}> <{SH.ValidationResult}> .\n")
        rows += [f"_:{label} <{p}> {o} .\n" for p, o in fields]
        lines += shape_lines
    return rows + lines


def company_slugs(kg_dir: Path) -> list[str]:
    return sorted(p.stem for p in (kg_dir / COMPANIES_DIR).glob("*.ttl"))


def version_keys(kg_dir: Path) -> list[tuple[str, str]]:
    """(slug, date) of every earlier version in an export folder (kg/history/<slug>/<date>.nq)."""
    return sorted((p.parent.name, p.stem) for p in (kg_dir / HISTORY_DIR).glob("*/*.nq"))


def validate(project: Project, executor: Executor | None = None, whole: bool | None = None,
             kg_dir: Path | None = None) -> Validation:
    """Validate an export folder (default: the project's kg/; or e.g. local/opp115) company by company."""
    kg_dir = kg_dir or project.kg_dir
    with atomic_export.reading(kg_dir):  # one generation of the export
        return _validate(project, executor, whole, kg_dir)


def _validate(project: Project, executor: Executor | None, whole: bool | None, kg_dir: Path) -> Validation:
    slugs = company_slugs(kg_dir)
    if not slugs:
        raise FileNotFoundError(f"{kg_dir / COMPANIES_DIR} holds no company graph: run `privacy-kg build` first")
    args = ([kg_dir] * len(slugs), [project.ontology_dir] * len(slugs))
    results = list(executor.map(validate_company, slugs, *args, chunksize=chunksize(len(slugs)))) if executor else [validate_company(s, kg_dir, project.ontology_dir) for s in slugs]
    versions = version_keys(kg_dir)
    args = ([kg_dir] * len(versions), [project.ontology_dir] * len(versions))
    results += list(executor.map(validate_version, versions, *args, chunksize=chunksize(len(versions)))) if executor else \
        [validate_version(v, kg_dir, project.ontology_dir) for v in versions]
    validation = Validation(results, _inputs(project.ontology_dir)[2])
    if whole if whole is not None else len(slugs) <= WHOLE_EXPORT_LIMIT:
        cross_check(project.ontology_dir, kg_dir, validation)
    return validation


def cross_check(ontology_dir: Path, kg_dir: Path, validation: Validation) -> None:
    """Validate the whole export at once and compare with the union of the per-company results."""
    shapes = _inputs(ontology_dir)[0]
    data = Graph()
    for c in validation.current:
        data.parse(kg_dir / COMPANIES_DIR / f"{c.slug}.ttl")
        data.parse(kg_dir / INFERRED_DIR / f"{c.slug}.ttl")
    whole = {(f.severity, f.message, f.focus, f.path, f.value) for f in findings_of(shacl(data, shapes), data, "")}
    parts = {(f.severity, f.message, f.focus, f.path, f.value) for c in validation.current for f in c.findings}
    validation.disagreements = [f"only in the whole-export run: {x}" for x in sorted(whole - parts)] + \
                               [f"only in the per-company runs: {x}" for x in sorted(parts - whole)]
    validation.whole_export_agrees = not validation.disagreements


# -- outputs ---------------------------------------------------------------------------------------

REPORT_HEADER = ("# Generated by `privacy-kg validate` from the export and ontology/shapes.ttl: do not edit.\n"
                 "# sh:conforms is false whenever the report holds a result of any severity (SHACL 3.6.1); the\n"
                 "# command exits 1 only on a violation: summary.json `passes` says which.\n")


def report_graph(validation: Validation) -> bytes:
    """One SHACL validation report for the whole export: sorted N-Triples (a subset of Turtle) whose blank
    node labels derive from their content, so the file is byte-stable. sh:conforms as SHACL defines it
    (3.6.1): true only if there is no result at all, warnings and infos included."""
    root = "<https://w3id.org/privacy-kg/validation/report>"
    lines = {f"{root} <{RDF.type}> <{SH.ValidationReport}> .",
             f"{root} <{SH.conforms}> {nt_term(Literal(validation.shacl_conforms))} ."}
    for c in validation.companies:
        for line in c.report.decode("utf-8").split("\n"):
            if line.strip():
                lines.add(line)
                if line.startswith("_:r") and f"<{RDF.type}> <{SH.ValidationResult}>" in line:
                    lines.add(f"{root} <{SH.result}> {line.split(' ', 1)[0]} .")
    body = "\n".join(sorted(lines)) + "\n"
    return (REPORT_HEADER + body).encode()


def summary(validation: Validation) -> bytes:
    data = {
        "conforms": validation.shacl_conforms,  # as sh:conforms in report.ttl: no result of any severity
        "passes": validation.ok,  # what the exit code says: no violation, no inconsistency
        "violations": validation.violations,
        "warnings": validation.warnings,
        "inconsistent_companies": validation.inconsistent,
        "whole_export_agrees": validation.whole_export_agrees,
        "disagreements": validation.disagreements,
        "profiles": [{"id": p.id, "label": p.label, "items": [{"id": i.id, "label": i.label, "article": i.article} for i in p.items]}
                     for p in validation.profiles],
        "companies": [
            {"slug": c.slug, "name": c.name, "inconsistencies": c.inconsistencies,
             "findings": [asdict(f) for f in c.findings], "compliance": c.compliance}
            for c in validation.current
        ],
    }
    versions = [{"slug": c.slug, "version": c.version, "name": c.name, "inconsistencies": c.inconsistencies,
                 "findings": [asdict(f) for f in c.findings]} for c in validation.companies if c.version is not None]
    if versions:  # earlier versions: their violations and inconsistencies
        data["versions"] = versions
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def coverage_csv(validation: Validation) -> bytes:
    topics = list(validation.current[0].coverage) if validation.current else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["company", *topics])
    for c in validation.current:
        writer.writerow([c.name, *(c.coverage[t] for t in topics)])
    return buffer.getvalue().encode()


def write(kg_dir: Path, validation: Validation) -> None:
    """The report, summary, coverage matrix and compliance matrix, into the validated export folder."""
    # the report serialises as sorted N-Triples (a subset of Turtle), the only layout rdflib keeps stable
    matrix = compliance.matrix_csv(validation.profiles, [(c.name, c.compliance) for c in validation.current])
    for rel, data in ((REPORT, report_graph(validation)), (SUMMARY, summary(validation)), (COVERAGE, coverage_csv(validation)),
                      (COMPLIANCE, matrix)):
        export.write_atomically(kg_dir / rel, data)
