"""The build: corpus + ontology -> kg/.

Per company (independent, so it runs on any concurrent.futures Executor: a process pool here, a
cluster's executor elsewhere): load and check its folder, map the tagged clauses to RDF, close the graph
under OWL 2 RL (the compiled fast path, owlrl when it must decide), check it is consistent, serialise
it. Each company's files are written into the staging folder beside kg/ by the worker that made them (the
client receives a few hundred bytes a company, not its files: its serial share is what limits a cluster),
the merged Turtle is then assembled from the staged pieces, and `write` switches kg/ to it atomically
(atomic_export). Workers never write into kg/, so a lost worker cannot leave it half-written.

Incremental: a company whose inputs hash (in its files' headers) and build code are those of its files
in kg/ is not rebuilt (build_index tells it from file stats). The N-Quads are one file per company, so a
changed company rewrites its own files and the merged Turtle only.

kg/companies/<slug>.ttl   asserted triples (the diffable record of the tagging)
kg/inferred/<slug>.ttl    what OWL 2 RL adds about the company's resources
kg/privacy-kg.ttl         every company's asserted triples (Turtle documents concatenated)
kg/quads/<slug>.nq        N-Quads of graph/<slug>: asserted + inferred
kg/quads/ontology.nq      N-Quads of graph/ontology (the ontology) and graph/class-hierarchy (every entailed
                          rdfs:subClassOf between its classes)
kg/history/<slug>/<date>.nq  N-Quads of graph/<slug>/version/<date>: an earlier version of the company's policy
                          (corpus/<slug>/versions/<date>/), asserted + inferred, built like a company
The quads/ folder is the dataset to load into a store (`quad_files`); concatenated, it is one N-Quads file. The
history/ folder is loaded beside it only by what asks about earlier versions (`history_files`).
"""

from __future__ import annotations

import dataclasses
import filecmp
import hashlib
import os
import shutil
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef

import privacy_kg
from privacy_kg import atomic_export, export, long_lived, rdfwrite
from privacy_kg.build_index import BuildIndex
from privacy_kg.closure import term
from privacy_kg.corpus import (CLAUSES_FILE, METADATA_FILE, TEXT_FILE, VERSIONS_DIR, Company, CompanyLoader, company_dirs,
                               folder_problems, version_dirs)
from privacy_kg.executors import chunksize
from privacy_kg.mapping import all_triples
from privacy_kg.namespaces import HIERARCHY_GRAPH, ID, ONTOLOGY_GRAPH, PREFIXES, company_iri, version_graph
from privacy_kg.ontology import ONTOLOGY_FILE, Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.project import Project
from privacy_kg.reason import close, close_triples
from privacy_kg.statement_keys import KEYS_FILE, load_keys

COMPANIES_DIR, INFERRED_DIR, QUADS_DIR, HISTORY_DIR = "companies", "inferred", "quads", "history"
MERGED_TTL = "privacy-kg.ttl"
ONTOLOGY_QUADS = f"{QUADS_DIR}/ontology.nq"
MANAGED = (COMPANIES_DIR, INFERRED_DIR, QUADS_DIR, HISTORY_DIR)
# the modules whose code shapes the output: a change in them invalidates the incremental cache
CODE = ("build", "mapping", "scope", "corpus", "quotes", "namespaces", "statement_keys", "ontology", "rdfwrite", "closure",
        "reason", "export")


class InconsistencyError(InputError):
    """The OWL 2 RL closure of a company graph is inconsistent: the data does not conform."""


@dataclass(frozen=True)
class Unit:
    """What the build makes from one folder: the current version of a company (`version` None, from
    corpus/<slug>/) or an earlier one (corpus/<slug>/versions/<version>/). `previous` is the date of the
    version it revises (prov:wasRevisionOf), part of its inputs."""

    slug: str
    version: str | None = None
    previous: str | None = None

    @property
    def key(self) -> str:
        """Its folder relative to corpus/, which also keys it in the build index."""
        return self.slug if self.version is None else f"{self.slug}/{VERSIONS_DIR}/{self.version}"

    @property
    def files(self) -> list[str]:
        """Its files, relative to kg/."""
        return company_files(self.slug) if self.version is None else [f"{HISTORY_DIR}/{self.slug}/{self.version}.nq"]


def units(corpus_dir: Path, dirs: list[Path]) -> list[Unit]:
    """Each company's current version, followed by its earlier versions oldest first (the folders checked:
    version folder names are dates)."""
    found = []
    for d in dirs:
        dates = [v.name for v in version_dirs(d)]
        found.append(Unit(d.name, None, dates[-1] if dates else None))
        found += [Unit(d.name, date, dates[i - 1] if i else None) for i, date in enumerate(dates)]
    return found


@dataclass
class CompanyOutput:
    slug: str
    asserted: bytes  # Turtle
    inferred: bytes  # Turtle
    quads: bytes  # N-Quads of graph/<slug>: asserted + inferred, sorted (under the header, as comments)
    problems: list[str]  # inconsistencies
    input_problems: list[Problem] = field(default_factory=list)
    reused: bool = False
    triples: int = 0  # asserted + inferred
    seconds: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage: map, closure, export
    version: str | None = None  # an earlier version's date: only `quads` is made (kg/history/<slug>/<date>.nq)

    @property
    def unit(self) -> Unit:
        return Unit(self.slug, self.version)

    @property
    def data(self) -> tuple[bytes, ...]:
        """The bytes of its files, in the order of Unit.files."""
        return (self.asserted, self.inferred, self.quads) if self.version is None else (self.quads,)

    def staged_in(self, staging: Path) -> CompanyOutput:
        """Its files written into the build's staging folder (each complete or absent: a worker lost half-way
        leaves a .part file, which nothing reads, and the retried task writes the file again); the output
        without its bytes, which the client then need not receive."""
        for rel, data in zip(self.unit.files, self.data):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{path.name}.{os.getpid()}.part")
            part.write_bytes(data)
            os.replace(part, path)
        return dataclasses.replace(self, asserted=b"", inferred=b"", quads=b"")


def digest(paths: list[str | Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            h.update(os.path.basename(path).encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()


def _company_inputs(directory: str | Path) -> list[str]:
    return [os.path.join(directory, name) for name in (TEXT_FILE, METADATA_FILE, CLAUSES_FILE)]


def company_digest(shared_digest: str, directory: Path, index: BuildIndex | None = None, unit: Unit | None = None) -> str:
    """The inputs hash written in the header of a company's (or version's) files: its three files, the
    shared inputs, and for a company with versions its date and the version it revises (with `index`, the
    files are read only if their stats changed)."""
    inputs = _company_inputs(directory)
    key = unit.key if unit is not None else os.path.basename(directory)
    files = digest(inputs) if index is None else index.inputs_digest(key, inputs, lambda: digest(inputs))
    if unit is not None and (unit.version or unit.previous):
        files += f"\0version:{unit.version or ''}\0revises:{unit.previous or ''}"
    return hashlib.sha256((shared_digest + files).encode()).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    package = Path(privacy_kg.__file__).parent
    return digest([package / f"{name}.py" for name in CODE])


@long_lived.cache(maxsize=2)
def _vocabulary(ontology_dir: Path, mappings_dir: Path, stamp: str = ""):
    """Loaded once per process and inputs hash (`stamp`: forked workers must not reuse an older ontology)."""
    vocab = Vocabulary.load(ontology_dir)
    return vocab, load_keys(mappings_dir, vocab)


# -- one company ------------------------------------------------------------------------------------

def company_namespaces(slug: str) -> rdfwrite.Namespaces:
    """The prefixes of a company graph (those mapping.new_graph binds, plus c:)."""
    return rdfwrite.Namespaces({**{k: str(v) for k, v in PREFIXES.items()}, "c": str(company_iri(slug)) + "/"})


def map_company(company: Company, vocab: Vocabulary, keys) -> set[tuple]:
    """The company's asserted triples in closure.term form (mapping.company_graph without the Graph)."""
    return {(term(s), term(p), term(o)) for s, p, o in all_triples(company, vocab, keys)}


def closure_of(asserted: set[tuple], slug: str, vocab: Vocabulary) -> tuple[set[tuple], list]:
    """What OWL 2 RL adds to a company's asserted triples, and its problems (a clash): the compiled fast
    path, or owlrl when it must decide (and explain a clash)."""
    namespace = str(ID[slug])
    fast = close_triples(asserted, vocab.graph, namespace)
    if fast is not None:
        return fast
    closure = close(to_graph(asserted, company_namespaces(slug)), vocab.graph, namespace)
    return {(term(s), term(p), term(o)) for s, p, o in closure.inferred}, closure.problems


def to_graph(triples: set[tuple], namespaces: rdfwrite.Namespaces) -> Graph:
    g = Graph()
    for ns, prefix in namespaces.prefix_of.items():
        g.bind(prefix, ns, override=True)
    for s, p, o in triples:
        g.add((URIRef(s) if type(s) is str else s, URIRef(p), URIRef(o) if type(o) is str else o))
    return g


def turtle(triples: set[tuple], namespaces: rdfwrite.Namespaces) -> str:
    """Turtle as rdflib writes it: the fast writer, or rdflib itself for what the writer does not handle."""
    text = rdfwrite.turtle(triples, namespaces)
    return text if text is not None else to_graph(triples, namespaces).serialize(format="turtle")


def build_company(slug_or_company, ontology_dir: Path, mappings_dir: Path, shared_digest: str,
                  corpus_dir: Path | None = None, staging: Path | None = None) -> CompanyOutput:
    """One company (a slug, a Unit: an earlier version, or a loaded record), from its folder to its serialised
    graphs; with `staging`, its files written there (CompanyOutput.staged_in) and not returned. Runs in a
    worker process."""
    vocab, keys = _vocabulary(ontology_dir, mappings_dir, shared_digest)
    clock = time.process_time()
    if isinstance(slug_or_company, Company):
        company = slug_or_company
    else:
        unit = slug_or_company if isinstance(slug_or_company, Unit) else Unit(slug_or_company)
        problems: list[Problem] = []
        company = CompanyLoader(vocab, keys, problems).load(corpus_dir / unit.key, unit.slug, unit.version)
        if problems or company is None:
            return CompanyOutput(unit.slug, b"", b"", b"", [], problems, version=unit.version)
    slug = company.slug
    asserted = map_company(company, vocab, keys)
    seconds = {"map": time.process_time() - clock}
    clock = time.process_time()
    inferred, problems = closure_of(asserted, slug, vocab)
    seconds["closure"] = time.process_time() - clock
    clock = time.process_time()
    unit = Unit(slug, company.version, company.previous)
    sources = f"corpus/{unit.key}/ and ontology/"
    h = company_digest(shared_digest, company.directory, unit=unit)
    namespaces = company_namespaces(slug)
    lines = sorted(set(rdfwrite.nquad_lines(asserted | inferred, str(version_graph(slug, company.version)))))
    quads = export.header(sources + " (asserted + OWL 2 RL closure)", h) + ("\n".join(lines) + "\n").encode("utf-8")
    if company.version is not None:  # an earlier version: its named graph only (no Turtle, not in the merged file)
        output = CompanyOutput(slug, b"", b"", quads, problems, [], False, len(asserted) + len(inferred), seconds,
                               company.version)
    else:
        output = CompanyOutput(
            slug,
            export.header(sources, h) + turtle(asserted, namespaces).encode("utf-8"),
            export.header(sources + " (OWL 2 RL closure)", h) + turtle(inferred, namespaces).encode("utf-8"),
            quads, problems, [], False, len(asserted) + len(inferred), seconds,
        )
    if staging is not None and not problems:
        output = output.staged_in(staging)
    seconds["export"] = time.process_time() - clock
    return output


def _append(out, path: Path, skip_lines: int = 0) -> None:
    """Append a file (less its first `skip_lines` lines) to the unbuffered `out`, copied by the kernel
    (copy_file_range: no trip through Python; the merged files of 10,000 companies are 6.7 GB)."""
    with open(path, "rb") as piece:
        offset = sum(len(piece.readline()) for _ in range(skip_lines))
        size = os.fstat(piece.fileno()).st_size - offset
        try:
            while size > 0:
                copied = os.copy_file_range(piece.fileno(), out.fileno(), size, offset)
                if copied == 0:
                    break
                offset, size = offset + copied, size - copied
        except OSError:  # no copy_file_range here (another OS or file system): copy through Python
            piece.seek(offset)
            shutil.copyfileobj(piece, out, 1 << 20)


# -- the staged result ------------------------------------------------------------------------------

class StagedOutputs(Mapping):
    """Path relative to kg/ -> content, held in the next generation's staging folder beside kg/ (switched
    into kg/ by `write`). Files of companies reused by an incremental build are not staged: `kept` names
    where they already are."""

    def __init__(self, generation: atomic_export.Generation):
        self.generation = generation
        self.folder = generation.staging
        self.paths: dict[str, None] = {}  # staged files, in the order they were made (a dict: O(1) lookups)
        self.kept: dict[str, Path] = {}  # relative path -> the existing file (in kg/ or the cache) it stays
        self.hashes: dict[str, str] = {}  # slug -> inputs hash, for the incremental cache
        self._cleanup = weakref.finalize(self, generation.discard)

    def add(self, rel: str, data: bytes) -> None:
        self.generation.add(rel, data)
        self.paths[rel] = None

    def written(self, rel: str) -> None:
        """A file a worker wrote into the staging folder (build_company) is part of the generation."""
        self.generation.staged(rel)
        self.paths[rel] = None

    def path(self, rel: str) -> Path:
        return self.folder / rel

    def source(self, rel: str) -> Path:
        """Where a file's current content is: staged, or kept where it was."""
        return self.kept.get(rel) or self.path(rel)

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self.paths:
            raise KeyError(rel)
        return (self.folder / rel).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.paths))

    def __len__(self) -> int:
        return len(self.paths)

    def discard(self) -> None:
        self._cleanup()


@dataclass
class BuildResult:
    companies: list[CompanyOutput]  # without their bytes (they are staged); earlier versions after their company
    outputs: StagedOutputs
    index: BuildIndex
    merge_seconds: float = 0.0  # wall time spent writing the merged Turtle (all companies, even if one changed)

    @property
    def rebuilt(self) -> list[str]:
        """The units rebuilt: company slugs, and slug/versions/<date> for earlier versions."""
        return [c.unit.key for c in self.companies if not c.reused]

    @property
    def versions(self) -> int:
        """How many earlier versions the build holds."""
        return sum(c.version is not None for c in self.companies)


# -- the build --------------------------------------------------------------------------------------

def company_files(slug: str) -> list[str]:
    """A company's files, relative to kg/."""
    return [f"{COMPANIES_DIR}/{slug}.ttl", f"{INFERRED_DIR}/{slug}.ttl", f"{QUADS_DIR}/{slug}.nq"]


def quad_files(folder: Path) -> list[Path]:
    """The N-Quads files of an export folder (kg/, or one written by `privacy-kg import`): the dataset."""
    found = sorted((Path(folder) / QUADS_DIR).glob("*.nq"))
    if not found:
        raise FileNotFoundError(f"{Path(folder) / QUADS_DIR} holds no .nq file: run `privacy-kg build` first")
    return found


def history_files(folder: Path) -> list[Path]:
    """The N-Quads files of the earlier versions in an export folder (kg/history/<slug>/<date>.nq); none is fine."""
    return sorted((Path(folder) / HISTORY_DIR).glob("*/*.nq"))


def build(project: Project, executor: Executor | None = None, incremental: bool = True,
          progress: Callable[[CompanyOutput], None] | None = None) -> BuildResult:
    """Load and check the corpus, map, reason and serialise into a staging folder. Raises InputError (bad
    input: every problem listed) or InconsistencyError before anything is written to kg/."""
    shared = digest([project.ontology_dir / ONTOLOGY_FILE, project.mappings_dir / KEYS_FILE])
    _vocabulary(project.ontology_dir, project.mappings_dir, shared)  # a bad ontology or mapping table fails here, once
    dirs = company_dirs(project.corpus_dir)
    unusable = [p for d in dirs for p in folder_problems(d)]  # what `check` reports first, before any file is hashed
    if unusable:
        raise InputError(unusable)
    slugs = [d.name for d in dirs]
    todo_units = units(project.corpus_dir, dirs)
    atomic_export.settle(project.kg_dir)  # a switch a killed build left pending: completed before kg/ is read
    index = BuildIndex.load(project.root, code_digest())
    hashes = {u.key: company_digest(shared, project.corpus_dir / u.key, index, u) for u in todo_units}
    reuse = {u.key for u in todo_units
             if incremental and index.reusable(u.key, hashes[u.key], [os.path.join(project.kg_dir, f) for f in u.files])}
    todo = [u for u in todo_units if u.key not in reuse]
    staged = StagedOutputs(atomic_export.Generation(project.kg_dir))
    args = (project.ontology_dir, project.mappings_dir, shared, project.corpus_dir, staged.folder)
    if executor is None:
        made = (build_company(u, *args) for u in todo)
    else:
        made = executor.map(build_company, todo, *([a] * len(todo) for a in args), chunksize=chunksize(len(todo)))
    results: dict[str, CompanyOutput] = {}
    input_problems: list[Problem] = []
    inconsistent: list[Problem] = []
    for r in made:
        key = r.unit.key
        input_problems += r.input_problems
        inconsistent += [Problem(f"corpus/{key}/{CLAUSES_FILE}", None, None, f"inconsistent: {p}") for p in r.problems]
        if not r.input_problems and not r.problems:
            for rel in r.unit.files:
                staged.written(rel)
        results[key] = CompanyOutput(r.slug, b"", b"", b"", r.problems, [], False, r.triples, r.seconds, r.version)
        if progress:
            progress(results[key])
    if input_problems:
        staged.discard()
        raise InputError(input_problems)
    if inconsistent:
        staged.discard()
        raise InconsistencyError(inconsistent)
    for unit in todo_units:  # unchanged: their files stay where they are
        if unit.key in reuse:
            for rel in unit.files:
                staged.kept[rel] = project.kg_dir / rel
            results[unit.key] = CompanyOutput(unit.slug, b"", b"", b"", [], [], True, version=unit.version)
    started = time.monotonic()
    _merge(project, staged, slugs, shared, hashes)
    staged.hashes = hashes
    return BuildResult([results[u.key] for u in todo_units], staged, index, time.monotonic() - started)


def _target(staged: StagedOutputs, rel: str) -> Path:
    staged.paths[rel] = None
    return staged.generation.path(rel)


def _merge(project: Project, staged: StagedOutputs, slugs: list[str], shared: str, hashes: dict[str, str]) -> None:
    """The merged Turtle, streamed from the companies' pieces in company order; the ontology's quads."""
    every = hashlib.sha256("".join(hashes[s] for s in slugs).encode()).hexdigest()
    header = export.header("corpus/ and ontology/", hashlib.sha256((shared + every).encode()).hexdigest())
    header_lines = export.GENERATED.count("\n")
    with open(_target(staged, MERGED_TTL), "wb", buffering=0) as ttl:
        ttl.write(header)
        for slug in slugs:
            _append(ttl, staged.source(f"{COMPANIES_DIR}/{slug}.ttl"), header_lines)
    staged.generation.staged(MERGED_TTL)
    staged.add(ONTOLOGY_QUADS, ontology_quads(project.ontology_dir))


def ontology_quads(ontology_dir: Path) -> bytes:
    """kg/quads/ontology.nq: the ontology's named graphs, under a header with the ontology's hash."""
    return _ontology_quads(ontology_dir, digest([ontology_dir / ONTOLOGY_FILE]))


@lru_cache(maxsize=2)
def _ontology_quads(ontology_dir: Path, h: str) -> bytes:
    vocab = Vocabulary.load(ontology_dir)
    graphs = [(ONTOLOGY_GRAPH, vocab.graph), (HIERARCHY_GRAPH, vocab.class_hierarchy())]
    return export.header("ontology/", h) + export.nquads(graphs)


def write(project: Project, result: BuildResult) -> list[str]:
    """Switch kg/ to the new generation in one atomic step (atomic_export: staged files renamed in, files
    no longer produced removed), refresh the incremental cache; returns the changed paths."""
    staged = result.outputs
    changed = [rel for rel, _ in stale_files(project, result)]
    staged.generation.commit([rel for rel in changed if rel in staged.paths],
                             [rel for rel in changed if rel not in staged.paths])
    for c in result.companies:
        if not c.reused:
            key = c.unit.key
            result.index.record(key, staged.hashes[key], [os.path.join(project.kg_dir, f) for f in c.unit.files])
    result.index.save([c.unit.key for c in result.companies])
    staged.discard()
    return changed


def stale_files(project: Project, result: BuildResult) -> list[tuple[str, str]]:
    """(path, 'changed' | 'missing' | 'stale') for every file of kg/ that the build would change."""
    found = []
    for rel in result.outputs:
        path = project.kg_dir / rel
        if not path.exists():
            found.append((rel, "missing"))
        elif not filecmp.cmp(path, result.outputs.path(rel), shallow=False):
            found.append((rel, "changed"))
    found += [(rel, "stale") for rel in export.stale(project.kg_dir, set(result.outputs.paths) | set(result.outputs.kept), MANAGED)]
    return found
