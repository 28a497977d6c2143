"""The RDF of an Open Terms Archive import with machine drafts: per service, its whole history in one
compact graph, and its latest version as a company graph.

The representation (issue 18 item 8). A full graph per version repeats every unchanged sentence in every
version: with ~30 kept versions per service that nearly differ, most quads are copies. Instead, per service:

  history-compact/<slug>/history.nq   graph/<slug>/history: the company and its policy; every kept version as a
                              pk:PolicyVersion (PROV-O: prov:specializationOf the policy, prov:generatedAtTime
                              the day the archive recorded it, prov:wasRevisionOf the version before,
                              pk:versionNumber, pk:recordKind, pk:otaCommit, pk:otaSnapshot); each distinct
                              drafted sentence ONCE, as a clause (pk:quote: its normalised text) with one
                              pk:inVersion link per version whose text holds it, prov:wasAttributedTo the
                              model; its practices as the mapping makes them (pk:isProposed, pk:hasConfidence);
                              asserted + OWL 2 RL closure.
  quads/<slug>.nq             graph/<slug>: the latest version as any company's graph (clauses with their quotes
  companies/<slug>.ttl        and offsets in versions/NNNN.md, practices, closure; asserted and inferred in
  inferred/<slug>.ttl         Turtle as build writes them), so the stored queries and `validate` read the
                              services beside kg/ with `--extra-kg local/ota`. The compact history is not in
                              history/ (where an export keeps one graph per earlier version, which the
                              `# needs: history` queries compare): no stored query reads it, so --extra-kg
                              never loads it; load it into a store to query it (benchmarks/ota_load.py).

Clause and practice IRIs derive from the sentence's key (`s-<sha256 of the key>`), so a statement has one IRI
in every version and in both graphs: "the same statement" is the same IRI, "a changed one" another.

Version N is rebuilt from the history graph as the clauses `pk:inVersion <version N>` with their practices;
`version_graph` makes the graph a full-graph-per-version design would hold for it (its clauses anchored in
its own text), which `full_sizes` counts without making it: per subject, the quads the history graph holds
about it, added up over the subjects the version names (tests/test_ota_drafts.py checks the count against
the graph made).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from privacy_kg import rdfwrite
from privacy_kg.build import _vocabulary, closure_of, company_namespaces, map_company, turtle
from privacy_kg.closure import term
from privacy_kg.corpus import Clause, Company, CompanyLoader, Statement
from privacy_kg.mapping import clause_triples, company_triples, practice_iri, practice_triples
from privacy_kg.namespaces import BASE, GRAPH, PK, PROV, company_iri, node
from privacy_kg.ota.drafts import ModelInfo, Settings
from privacy_kg.problems import Problem
from privacy_kg.tagger.draft import DraftStatement

SLUG_PREFIX = "ota-"  # the services' IRIs and graphs stay apart from the hand-tagged corpus's (corpus/bitwarden)
HISTORY_DIR, HISTORY_FILE = "history-compact", "history.nq"  # not history/: see the module doc
SECTOR = "unknown"


def rdf_slug(folder: str) -> str:
    return SLUG_PREFIX + folder


def history_graph(slug: str) -> URIRef:
    return GRAPH[f"{slug}/history"]


def ota_version_iri(slug: str, number: int) -> URIRef:
    """A kept version, by its number (several may be recorded on one day)."""
    return node(slug, "version", f"{number:04d}")


def clause_id(key: str) -> str:
    return "s-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def model_iri(model: ModelInfo) -> URIRef:
    return URIRef(f"{BASE}model/{model.sha256[:16]}")


@dataclass
class ServiceJob:
    """One service's drafted history, as the client ships it to a worker (plain data)."""

    folder: str  # its folder in the import (local/ota/<folder>/)
    service: str
    versions: list[dict]  # history.json's kept versions (number, commit, recorded, classification, snapshot, file)
    keys: list[list[str]]  # per version, its distinct sentence keys
    drafts: dict[str, list[DraftStatement]]  # the drafted ones among them
    latest_text: str
    latest_spans: list[tuple[int, int]]  # where each key of the latest version first occurs in its text
    model: ModelInfo
    licence_url: str = ""
    attribution: str = ""

    @property
    def slug(self) -> str:
        return rdf_slug(self.folder)


@dataclass
class ServiceGraphs:
    folder: str
    latest: bytes  # quads/<slug>.nq
    asserted: bytes  # companies/<slug>.ttl
    inferred: bytes  # inferred/<slug>.ttl
    history: bytes  # history-compact/<slug>/history.nq
    figures: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _triples(found) -> set[tuple]:
    return {(term(s), term(p), term(o)) for s, p, o in found}


class Mapper:
    """Drafted statements -> the mapping's Statement records, through the corpus loader's own checks (a
    drafted name resolves exactly as a hand-written tag does)."""

    def __init__(self, vocab, keys, company: Company):
        self.problems: list[Problem] = []
        self.loader = CompanyLoader(vocab, keys, self.problems)
        self.company = company

    def statements(self, cid: str, drafted: list[DraftStatement]) -> list[Statement]:
        found = []
        for index, st in enumerate(drafted, start=1):
            raw = {}
            for tag in st.tags:
                names = [v.name for v in tag.values]
                raw[tag.key] = names[0] if len(names) == 1 else names  # as the rendered YAML says it
            statement = self.loader._statement(self.company, Path(self.company.directory), cid, index, raw, None)
            if statement is not None:
                found.append(statement)
        return found


def _company(job: ServiceJob, text: str, source: str) -> Company:
    meta = {"name": job.service, "sector": SECTOR, "format": "text/markdown", "seals": [], "jurisdictions": []}
    if job.attribution:
        meta["attribution"] = job.attribution
    if job.licence_url:
        meta["licence"] = job.licence_url
    return Company(job.slug, Path(job.folder), meta, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), source=source)


def version_triples(job: ServiceJob, index: int) -> set[tuple]:
    """The description of kept version `index` (0-based) in PROV-O."""
    slug, entry = job.slug, job.versions[index]
    v = ota_version_iri(slug, entry["number"])
    found = [(v, RDF.type, PK.PolicyVersion),
             (v, RDFS.label, Literal(f"{job.service} privacy policy, version {entry['number']}, recorded {entry['recorded'][:10]}")),
             (v, PROV.specializationOf, node(slug, "policy")),
             # the day, as every pk:PolicyVersion (PolicyVersionShape); the commit names the instant
             (v, PROV.generatedAtTime, Literal(entry["recorded"][:10], datatype=XSD.date)),
             (v, PK.versionNumber, Literal(entry["number"], datatype=XSD.positiveInteger)),
             (v, PK.recordKind, Literal(entry["classification"])),
             (v, PK.otaCommit, Literal(entry["commit"])),
             (v, DCTERMS.source, Literal(f"{job.folder}/{entry['file']}"))]
    if entry.get("snapshot"):
        found.append((v, PK.otaSnapshot, Literal(entry["snapshot"])))
    if index == len(job.versions) - 1:  # the latest version is the one with a graph of its own: the company graph
        found.append((v, PK.versionGraph, GRAPH[slug]))
    if index:
        found.append((v, PROV.wasRevisionOf, ota_version_iri(slug, job.versions[index - 1]["number"])))
    return _triples(found)


def model_triples(model: ModelInfo) -> set[tuple]:
    m = model_iri(model)
    return _triples([(m, RDF.type, PK.TaggerModel), (m, RDFS.label, Literal(model.name)),
                     (m, PK.modelSha256, Literal(model.sha256))])


class ServiceMapper:
    """Everything one service's graphs are made of, each distinct drafted sentence mapped once."""

    def __init__(self, job: ServiceJob, settings: Settings):
        self.job = job
        self.vocab, self.keys = _vocabulary(Path(settings.ontology_dir), Path(settings.mappings_dir), settings.stamp)
        latest = job.versions[-1]
        self.latest = _company(job, job.latest_text, f"{job.folder}/{latest['file']}")
        self.mapper = Mapper(self.vocab, self.keys, self.latest)
        drafted = sorted({k for keys in job.keys for k in keys if k in job.drafts})
        self.statements = {k: self.mapper.statements(clause_id(k), job.drafts[k]) for k in drafted}
        self.statements = {k: s for k, s in self.statements.items() if s}
        self.holders: dict[str, list[int]] = {}  # drafted key -> the versions (0-based) whose text holds it
        for i, keys in enumerate(job.keys):
            for k in keys:
                if k in self.statements:
                    self.holders.setdefault(k, []).append(i)
        self.model = model_iri(job.model)

    def confidence(self, key: str) -> float:
        return self.job.drafts[key][0].confidence

    def clause_of(self, key: str, company: Company, span: tuple[int, int]) -> Clause:
        return Clause(clause_id(key), company.text[span[0]:span[1]], span[0], span[1], self.statements[key],
                      proposed=True, confidence=self.confidence(key))

    # -- a full graph for one version ----------------------------------------------------------------
    def version_graph(self, index: int, text: str, spans: list[tuple[int, int]], keys: list[str] | None = None) -> set[tuple]:
        """The graph a full-graph-per-version design holds for version `index`: the company, the version's
        description, and each drafted sentence of its text (`keys`, by default the version's, first found at
        `spans`) as a clause anchored in that text (asserted)."""
        job = self.job
        keys = job.keys[index] if keys is None else keys
        company = _company(job, text, f"{job.folder}/{job.versions[index]['file']}")
        company.clauses = [self.clause_of(k, company, span) for k, span in zip(keys, spans) if k in self.statements]
        v = ota_version_iri(job.slug, job.versions[index]["number"])
        found = map_company(company, self.vocab, self.keys) | version_triples(job, index) | model_triples(job.model)
        for clause in company.clauses:
            iri = str(node(job.slug, "clause", clause.id))
            found |= {(iri, str(PK.inVersion), str(v)), (iri, str(PROV.wasAttributedTo), str(self.model))}
        return found

    # -- the compact history ---------------------------------------------------------------------------
    def history(self) -> set[tuple]:
        job, slug = self.job, self.job.slug
        text_node = node(slug, "policy", "text")
        found = {t for t in _triples(company_triples(self.latest)) if t[0] != str(text_node) and t[1] != str(PK.hasText)}
        found |= model_triples(job.model)
        policy = str(node(slug, "policy"))
        for i in range(len(job.versions)):
            found |= version_triples(job, i)
        for key, versions in self.holders.items():
            cid = clause_id(key)
            iri = str(node(slug, "clause", cid))
            found |= {(iri, str(RDF.type), str(PK.Clause)), (iri, str(PK.clauseId), Literal(cid)),
                      (iri, str(PK.quote), Literal(key)), (iri, str(PK.inPolicy), policy),
                      (iri, str(PROV.wasAttributedTo), str(self.model))}
            found |= {(iri, str(PK.inVersion), str(ota_version_iri(slug, job.versions[i]["number"]))) for i in versions}
            clause = Clause(cid, key, 0, len(key), self.statements[key], proposed=True, confidence=self.confidence(key))
            for statement in clause.statements:
                found |= _triples(practice_triples(self.latest, clause, statement, self.vocab, self.keys))
        return found

    def close(self, asserted: set[tuple]) -> set[tuple]:
        return asserted | self.inferred(asserted)

    def inferred(self, asserted: set[tuple]) -> set[tuple]:
        inferred, problems = closure_of(asserted, self.job.slug, self.vocab)
        self.mapper.problems += [Problem(self.job.folder, None, None, str(p)) for p in problems]
        return inferred


def full_sizes(sm: ServiceMapper, closed_history: set[tuple], per_clause: int, header: int) -> list[int]:
    """The quads of each version's full graph, counted from the closed history graph without making them:
    `header` (company, policy and text, the model), the version's own description, `per_clause` for each of
    its drafted sentences, and every quad about the practices and individuals those sentences state."""
    job, slug = sm.job, sm.job.slug
    by_subject = Counter(s for s, _, _ in closed_history)
    company = str(company_iri(slug))
    reaches: dict[str, set[str]] = {}  # key -> the practices and individuals its statements name
    objects: dict[str, set[str]] = {}
    for s, _, o in closed_history:
        if type(o) is str and o != company and o in by_subject:
            objects.setdefault(s, set()).add(o)
    for key, statements in sm.statements.items():
        cid = clause_id(key)
        practices = {str(practice_iri(slug, cid, st.index)) for st in statements}
        individuals = {o for p in practices for o in objects.get(p, ()) if o.startswith(str(node(slug, "")))
                       and "/clause/" not in o and "/version/" not in o}
        reaches[key] = practices | individuals
    sizes = []
    for i, keys in enumerate(job.keys):
        drafted = [k for k in keys if k in sm.statements]
        named = set().union(*(reaches[k] for k in drafted)) if drafted else set()
        v = str(ota_version_iri(slug, job.versions[i]["number"]))
        sizes.append(header + by_subject[v] + per_clause * len(drafted) + sum(by_subject[n] for n in named))
    return sizes


def runs(versions: list[int]) -> int:
    """How many intervals of consecutive versions a sentence holds in (its validity intervals)."""
    return sum(1 for i, v in enumerate(versions) if i == 0 or v != versions[i - 1] + 1)


def _head(what: str) -> str:
    return f"# Generated by `privacy-kg import ota`: {what}. Open Terms Archive contributors, ODC-BY 1.0; drafts proposed by machine.\n"


def nquads(triples: set[tuple], graph: URIRef, what: str) -> bytes:
    lines = sorted(set(rdfwrite.nquad_lines(triples, str(graph))))
    return (_head(what) + "\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def _turtle(triples: set[tuple], namespaces: rdfwrite.Namespaces, what: str) -> bytes:
    return (_head(what) + turtle(triples, namespaces)).encode("utf-8")


def service_graphs(job: ServiceJob, settings: Settings) -> ServiceGraphs:
    """Runs in a worker: one service's two graphs, serialised, and their figures."""
    sm = ServiceMapper(job, settings)
    latest_i = len(job.versions) - 1
    asserted = sm.version_graph(latest_i, job.latest_text, job.latest_spans)
    inferred = sm.inferred(asserted)
    latest = asserted | inferred
    history = sm.close(sm.history())
    # what one drafted sentence costs a full version graph, and what every version graph repeats
    clause_nodes = {str(node(job.slug, "clause", clause_id(k), *rest)) for k in job.keys[latest_i] if k in sm.statements
                    for rest in ((), ("quote",), ("position",))}
    drafted_latest = sum(k in sm.statements for k in job.keys[latest_i])
    header_nodes = {str(company_iri(job.slug)), str(node(job.slug, "policy")), str(node(job.slug, "policy", "text")),
                    str(model_iri(job.model))}
    header = sum(t[0] in header_nodes for t in latest)
    per_clause = sum(t[0] in clause_nodes for t in latest) // drafted_latest if drafted_latest else _per_clause(sm)
    sizes = full_sizes(sm, history, per_clause, header)
    holders = sm.holders
    figures = {
        "versions": len(job.versions),
        "sentences_distinct": len({k for keys in job.keys for k in keys}),
        "sentences_drafted": len(sm.statements),
        "statements": sum(len(s) for s in sm.statements.values()),
        "history_quads": len(history),
        "in_version_links": sum(len(v) for v in holders.values()),
        "validity_intervals": sum(runs(v) for v in holders.values()),
        "latest_quads": len(latest),
        "full_graph_per_version_quads": sum(sizes),
        "full_count_checked_on_latest": sizes[-1] == len(latest),
    }
    problems = [str(p) for p in sm.mapper.problems]
    namespaces = company_namespaces(job.slug)
    return ServiceGraphs(job.folder, nquads(latest, GRAPH[job.slug], f"{job.service}, latest kept version"),
                         _turtle(asserted, namespaces, f"{job.service}, latest kept version"),
                         _turtle(inferred, namespaces, f"{job.service}, latest kept version (OWL 2 RL closure)"),
                         nquads(history, history_graph(job.slug), f"{job.service}, every kept version"), figures, problems)


def _per_clause(sm: ServiceMapper) -> int:
    """The quads of one drafted clause's nodes in a version graph (clause, quote and position selectors),
    from a version made of that sentence alone: for a service whose latest version drafts nothing."""
    key = next(iter(sm.statements), None)
    if key is None:
        return 0
    closed = sm.close(sm.version_graph(len(sm.job.versions) - 1, key, [(0, len(key))], [key]))
    nodes = {str(node(sm.job.slug, "clause", clause_id(key), *rest)) for rest in ((), ("quote",), ("position",))}
    return sum(t[0] in nodes for t in closed)
