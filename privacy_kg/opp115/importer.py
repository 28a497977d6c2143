"""`privacy-kg import opp115`: an OPP-115-format folder -> graphs in the layout of kg/, outside the committed
tree (the corpus is licensed for research only).

Per policy (independent, so it runs on any concurrent.futures Executor, as the build does): read practices
(consolidated, raw, or by majority vote), adapt them to corpus records, map them with the shared
mapping, add the span provenance, close under OWL 2 RL, check consistency, serialise. Nothing is
written until every policy has been imported without a problem.

<out>/companies/<slug>.ttl   asserted triples
<out>/inferred/<slug>.ttl    what OWL 2 RL adds about the company's resources
<out>/quads/<slug>.nq        graph/<slug> = asserted + inferred
<out>/quads/ontology.nq      graph/ontology = the ontology; graph/class-hierarchy
<out>/import-report.json     figures per policy, errata counts and every erratum with file and line
<out>/import-manifest.json   the files above: what a later import may replace or remove (owned_folders)"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from privacy_kg import atomic_export, export, owned_folders
from privacy_kg.build import ONTOLOGY_QUADS, InconsistencyError, company_files, digest, ontology_quads
from privacy_kg.executors import chunksize
from privacy_kg.namespaces import ID, company_graph as graph_name
from privacy_kg.ontology import ONTOLOGY_FILE, Vocabulary
from privacy_kg.opp115.adapter import Adapter, Imported
from privacy_kg.opp115.practices import QUORUM, Practice, by_majority, one_per_annotation
from privacy_kg.opp115.provenance import add_provenance, practices_graph
from privacy_kg.opp115.reader import Policy, missing_policies, read_folder
from privacy_kg.opp115.table import TABLE_FILE, Table, load_table
from privacy_kg.problems import InputError, Problem
from privacy_kg.project import Project
from privacy_kg.reason import Closure, close
from privacy_kg.statement_keys import KEYS_FILE, KeySpec, load_keys

CONSOLIDATED, RAW, MAJORITY = "consolidated", "raw", "majority"
MODES = (CONSOLIDATED, RAW, MAJORITY)
REPORT_FILE = "import-report.json"


@dataclass(frozen=True)
class Settings:
    """What every worker needs, small and picklable."""

    root: Path  # the OPP-115 folder
    ontology_dir: Path
    mappings_dir: Path
    mode: str = CONSOLIDATED
    quorum: int = QUORUM

    @property
    def shared_inputs(self) -> list[Path]:
        return [self.ontology_dir / ONTOLOGY_FILE, self.mappings_dir / KEYS_FILE, self.mappings_dir / TABLE_FILE]


@dataclass
class PolicyResult:
    slug: str
    name: str
    files: list[str]  # the policy's input files, relative to the OPP-115 folder
    asserted: bytes  # Turtle
    inferred: bytes  # Turtle
    quads: bytes  # N-Quads of graph/<slug>: asserted + inferred
    figures: dict[str, int]
    errata: list[dict]
    conflicts: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    inconsistencies: list[str] = field(default_factory=list)
    readings: list[dict] = field(default_factory=list)  # --majority: segments split into one practice per reading


@dataclass
class ImportResult:
    policies: list[PolicyResult]
    outputs: dict[str, bytes]  # path relative to the output folder -> content
    report: dict


@lru_cache(maxsize=2)
def context(ontology_dir: Path, mappings_dir: Path) -> tuple[Vocabulary, dict[str, KeySpec], Table]:
    """Vocabulary, statement keys and mapping table, loaded once per process (InputError if bad)."""
    vocab = Vocabulary.load(ontology_dir)
    keys = load_keys(mappings_dir, vocab)
    table = load_table(mappings_dir, vocab, keys)
    return vocab, table.keys, table


def practices_of(policy: Policy, mode: str, quorum: int = QUORUM) -> tuple[list[Practice], int]:
    """The practices to import, and how many annotations fell below the majority quorum."""
    if mode == MAJORITY:
        return by_majority(policy.annotations, quorum)
    return one_per_annotation(policy.annotations), 0


@dataclass
class Adapted:
    imported: Imported
    graph: Graph  # asserted triples: the practices (shared mapping) and their span provenance
    closure: Closure | None  # OWL 2 RL closure of the practices, when asked for
    below_quorum: int
    problems: list[Problem]


def adapt(policy: Policy, settings: Settings, reason: bool = False) -> Adapted:
    """A policy's company record and asserted graph, closed under OWL 2 RL when `reason`. The span
    provenance is added after the closure: it carries nothing a reasoner would use."""
    vocab, keys, table = context(settings.ontology_dir, settings.mappings_dir)
    practices, below = practices_of(policy, settings.mode, settings.quorum)
    problems: list[Problem] = []
    imported = Adapter(table, problems).adapt(policy, practices)
    graph = practices_graph(imported, vocab, keys)
    closure = close(graph, vocab.graph, str(ID[imported.company.slug])) if reason else None
    return Adapted(imported, add_provenance(graph, imported), closure, below, problems)


def import_policy(policy: Policy, settings: Settings) -> PolicyResult:
    """One policy, from its files to serialised graphs. Runs in a worker process."""
    adapted = adapt(policy, settings, reason=True)
    company, asserted, inferred = adapted.imported.company, adapted.graph, adapted.closure.inferred
    files = [_relative(settings.root, policy.html_file), _relative(settings.root, policy.csv_file)]
    inputs = digest(settings.shared_inputs) + digest([settings.root / f for f in files]) + settings.mode
    h = hashlib.sha256(inputs.encode()).hexdigest()
    sources = f"OPP-115 {' + '.join(files)} ({settings.mode}) and ontology/"
    return PolicyResult(
        company.slug, company.metadata["name"], files,
        export.turtle(asserted, sources, h),
        export.turtle(inferred, sources + " (OWL 2 RL closure)", h),
        export.header(sources + " (asserted + OWL 2 RL closure)", h)
        + export.nquads([(graph_name(company.slug), asserted), (graph_name(company.slug), inferred)]),
        {"segments": len(policy.segments), "clauses": len(company.clauses),
         "practices": sum(len(c.statements) for c in company.clauses),
         "annotations": len(policy.annotations), "below_quorum": adapted.below_quorum,
         "triples": len(asserted), "inferred_triples": len(inferred)},
        _errata(policy, settings.root), dict(sorted(adapted.imported.conflicts.items())),
        adapted.problems, adapted.closure.problems,
        _readings(adapted.imported, files[1]),
    )


def _readings(imported: Imported, csv_file: str) -> list[dict]:
    """The segments whose majority practice of one category was split by reading, each reading listed."""
    return [{"file": csv_file, "segment": p.segment, "category": p.category, "clause": cid, "practice": n, "reading": p.reading}
            for (cid, n), p in sorted(imported.practices.items()) if p.reading]


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _errata(policy: Policy, root: Path) -> list[dict]:
    return [
        {"file": _relative(root, a.file), "line": a.line, "annotation": a.id, "attribute": s.attribute,
         "value": s.value, "erratum": s.erratum}
        for a in policy.annotations for s in a.spans.values() if s.erratum
    ]


def import_folder(root: Path, project: Project, mode: str = CONSOLIDATED, executor: Executor | None = None,
                  progress: Callable[[PolicyResult], None] | None = None, quorum: int = QUORUM) -> ImportResult:
    """Import every policy of an OPP-115 folder. Raises InputError (bad input: every problem listed) or
    InconsistencyError before anything is written; the caller writes `outputs` with `write`."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    root = Path(root).resolve()
    settings = Settings(root, project.ontology_dir, project.mappings_dir, mode, quorum)
    context(settings.ontology_dir, settings.mappings_dir)  # a bad mapping table fails here, once
    policies = list(read_folder(root, consolidated=mode == CONSOLIDATED))
    if not policies:
        raise InputError([Problem(str(root), None, None, "no sanitized_policies/*.html: is this an OPP-115 folder?")])
    problems = missing_policies(root, consolidated=mode == CONSOLIDATED) + [p for policy in policies for p in policy.problems]
    if problems:
        raise InputError(problems)
    work = map(import_policy, policies, [settings] * len(policies)) if executor is None \
        else executor.map(import_policy, policies, [settings] * len(policies), chunksize=chunksize(len(policies)))
    results = []
    for result in work:
        results.append(result)
        if progress:
            progress(result)
    problems = [p for r in results for p in r.problems]
    if problems:
        raise InputError(problems)
    inconsistent = [Problem(r.files[1], None, None, f"inconsistent: {i}") for r in results for i in r.inconsistencies]
    if inconsistent:
        raise InconsistencyError(inconsistent)
    report = _report(settings, results)
    outputs = {rel: data for r in results for rel, data in zip(company_files(r.slug), (r.asserted, r.inferred, r.quads))}
    outputs[ONTOLOGY_QUADS] = ontology_quads(settings.ontology_dir)
    outputs[REPORT_FILE] = (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return ImportResult(results, outputs, report)


def _spread(values: list[int]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def _report(settings: Settings, results: list[PolicyResult]) -> dict:
    """Deterministic (no times, no absolute paths), so a re-import of the same corpus gives the same file."""
    totals = Counter()
    errata = Counter()
    conflicts = Counter()
    for r in results:
        totals.update(r.figures)
        errata.update(e["erratum"] for e in r.errata)
        conflicts.update(r.conflicts)
    return {
        "corpus": "OPP-115",
        "annotations": settings.mode + (f" (quorum {settings.quorum})" if settings.mode == MAJORITY else ""),
        "policies": len(results),
        "totals": dict(sorted(totals.items())),
        "per_policy": {k: _spread([r.figures[k] for r in results]) for k in ("clauses", "practices", "triples", "inferred_triples")},
        "errata": {"total": sum(errata.values()), **dict(sorted(errata.items()))},
        "majority_conflicts": dict(sorted(conflicts.items())),
        "majority_split_segments": [x for r in results for x in r.readings],
        "companies": [{"slug": r.slug, "name": r.name, "files": r.files, **r.figures,
                       "errata": dict(sorted(Counter(e["erratum"] for e in r.errata).items()))} for r in results],
        "errata_details": [e for r in results for e in r.errata],
    }


def write(out_dir: Path, result: ImportResult) -> list[str]:
    """Switch the output folder to the new import in one atomic step (atomic_export), with its manifest;
    removes only files an earlier import listed in its manifest. FolderError (nothing written) for a folder
    holding anything else or git-tracked files. Returns the changed paths."""
    out_dir = Path(out_dir)
    atomic_export.settle(out_dir)  # a pending switch completed before the folder is read
    earlier = owned_folders.import_files(out_dir)
    outputs = {**result.outputs, owned_folders.MANIFEST: owned_folders.manifest(list(result.outputs))}
    return atomic_export.switch(out_dir, outputs, earlier)
