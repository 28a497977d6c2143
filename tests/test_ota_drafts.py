"""Machine drafts of `privacy-kg import ota` on small repositories built from excerpts of the Open Terms Archive
bundle (excerpts: Open Terms Archive contributors, ODC-BY 1.0), drafted by a model trained on the tiny
OPP-115-format fixture folder (tests/fixtures/tagger/opp115)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from typer.testing import CliRunner

from conftest import FIXTURES, REPO
from privacy_kg.cli import app
from privacy_kg.closure import term
from privacy_kg.corpus import CompanyLoader
from privacy_kg.mapping import practice_triples
from privacy_kg.namespaces import PK
from privacy_kg.ota import drafts, graphs, importer
from privacy_kg.project import Project
from privacy_kg.segment import blocks, sentence_key
from privacy_kg.store import open_store
from privacy_kg.tagger import dataset
from privacy_kg.tagger.draft import Tagger
from privacy_kg.tagger.lexicon import Lexicon
from privacy_kg.tagger.model import CategoryModel
from privacy_kg.tagger.output import metadata_skeleton, render
from privacy_kg.tagger.store import MODEL_FILE, save_object
from test_ota_import import commit

# excerpts of Bitwarden/Privacy Policy.md (Open Terms Archive contributors, ODC-BY 1.0)
COLLECT = ("Bitwarden obtains Personal Information in connection with your account creation, usage of the Bitwarden "
           "Service and support, and payments for the Bitwarden Service such as names, emails address, phone and other "
           "contact information for users of the Bitwarden Service.")
RETAIN = "We retain Administrative Data for as long as you are a customer of Bitwarden and as required by law."
SHARE = ("Except as listed below, Bitwarden will not share Personal Information with third party service providers "
         "unless you have consented to the disclosure.")
COOKIES = "*   Information gathered via cookies, pixel tags, logs, or other similar technologies."
MERGER = ("We may also provide your Personal Information to a third party in connection with a merger or acquisition "
          "of Bitwarden, either in part or in whole, or the assignment or other transfer of the Site or Service.")
V1 = f"# Privacy Policy\n\n{COLLECT} {RETAIN}\n\n{SHARE}\n"
V2 = f"# Privacy Policy\n\n{COLLECT} {RETAIN}\n\n{SHARE}\n\n{COOKIES}\n"
V3 = f"# Privacy Policy\n\n{COLLECT}  {RETAIN}\n\n{MERGER}\n\n**{SHARE}**\n"   # the same sentences, in other Markdown
OTHER = f"# Privacy\n\n{SHARE}\n\n{MERGER}\n"   # another service holding two of the same sentences


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    docs = dataset.load(FIXTURES / "tagger" / "opp115")
    model = CategoryModel.fit([[e.text for e in d.examples] for d in docs], [[e.labels for e in d.examples] for d in docs],
                              [d.name for d in docs], encoder=None, jobs=1)
    save_object(folder / MODEL_FILE, model.to_parts())
    return folder


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "versions"
    subprocess.run(["git", "init", "-q", r], check=True)
    p = "Bitwarden/Privacy Policy.md"
    commit(r, p, V1, "First record of Bitwarden Privacy Policy", "2021-09-27T10:00:00Z")
    commit(r, p, V2, "Record new changes of Bitwarden Privacy Policy", "2022-01-10T10:00:00Z")
    commit(r, p, V3, "Record new changes of Bitwarden Privacy Policy", "2023-03-01T10:00:00Z")
    commit(r, "Other/Privacy Policy.md", OTHER, "First record of Other Privacy Policy", "2022-05-01T10:00:00Z")
    commit(r, "Tiny/Privacy Policy.md", "Hello.\n", "First record of Tiny Privacy Policy", "2022-05-01T10:00:00Z")
    return r


def import_ota(repo: Path, out: Path, models: Path, *extra: str):
    return CliRunner().invoke(app, ["import", "ota", str(repo), "--out", str(out), "--models", str(models), "-j", "1", *extra])


def settings_for(root: Path, models: Path) -> drafts.Settings:
    return drafts.Settings(str(models / MODEL_FILE), str(root / "ontology"), str(root / "mappings"), "test")


def test_each_distinct_sentence_is_classified_once(repo, tmp_path, models, monkeypatch):
    read: list[str] = []
    alone = CategoryModel.predict_proba_alone
    monkeypatch.setattr(CategoryModel, "predict_proba_alone", lambda self, texts: read.extend(texts) or alone(self, texts))
    result = import_ota(repo, tmp_path / "out", models)
    assert result.exit_code == 0, result.output
    keys = {sentence_key(s.text) for text in (V1, V2, V3, OTHER) for b in blocks(text) for s in b.sentences}
    assert len(keys) == 5                           # COLLECT, RETAIN, SHARE, COOKIES, MERGER
    assert sorted(read) == sorted(keys)             # each once, though SHARE is in four versions of two services
    report = json.loads((tmp_path / "out" / "import-report.json").read_text())
    s = report["drafts"]["sentences"]
    assert (s["total"], s["distinct_per_version"], s["distinct_per_service"], s["distinct"], s["classified"]) == (13, 13, 7, 5, 5)  # 3 + 4 + 4 sentences, 2 in Other
    assert report["peak_rss_mb"]["client"] > 0 and report["drafts"]["seconds"]["total"] >= 0


def test_drafts_are_proposed_with_confidence_and_model(repo, tmp_path, models):
    out = tmp_path / "out"
    assert import_ota(repo, out, models).exit_code == 0
    store = ox.Store()
    store.load(path=str(out / graphs.HISTORY_DIR / "ota-bitwarden" / graphs.HISTORY_FILE), format=ox.RdfFormat.N_QUADS)
    sha = hashlib.sha256((models / MODEL_FILE).read_bytes()).hexdigest()
    rows = list(store.query("""PREFIX pk: <https://w3id.org/privacy-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?p ?proposed ?confidence ?sha WHERE { GRAPH ?g { ?p pk:hasEvidence ?c .
          OPTIONAL { ?p pk:isProposed ?proposed } OPTIONAL { ?p pk:hasConfidence ?confidence }
          OPTIONAL { ?c prov:wasAttributedTo ?m . ?m a pk:TaggerModel ; pk:modelSha256 ?sha } } }"""))
    assert rows, "the fixture's sentences draft statements"
    for row in rows:
        assert row["proposed"].value == "true" and 0 <= float(row["confidence"].value) <= 1 and row["sha"].value == sha
    report = json.loads((out / "import-report.json").read_text())
    assert report["drafts"]["model"]["sha256"] == sha


def _statements_in_compact(store: ox.Store, version: str) -> set[tuple]:
    """(sentence key, statement index, predicate, object) of the practices of the clauses in `version`."""
    found = set()
    for row in store.query(f"""PREFIX pk: <https://w3id.org/privacy-kg/ontology#>
            SELECT ?key ?p ?pred ?o WHERE {{ GRAPH ?g {{ ?c pk:inVersion <{version}> ; pk:quote ?key .
              ?p pk:hasEvidence ?c ; ?pred ?o . FILTER(?pred != pk:hasEvidence) }} }}"""):
        found.add((row["key"].value, row["p"].value.rsplit("-", 1)[1], row["pred"].value, str(row["o"].value)))
    return found


def _statements_drafted_directly(root, text: str, slug: str, models: Path, tmp_path: Path) -> set[tuple]:
    """Version N's text drafted as `privacy-kg tag` does (alone), written as clauses.yaml, loaded and mapped."""
    from privacy_kg.build import _vocabulary, closure_of
    from privacy_kg.tagger import load_model

    vocab, keys = _vocabulary(root / "ontology", root / "mappings", "test")
    draft = Tagger(load_model(models), vocab, keys, alone=True).tag(text, slug)
    folder = tmp_path / "direct" / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "policy.txt").write_text(text)
    (folder / "clauses.yaml").write_text(render(draft))
    (folder / "metadata.yaml").write_text(metadata_skeleton(slug))
    problems = []
    company = CompanyLoader(vocab, keys, problems).load(folder)
    assert not problems, problems
    found = set()
    for clause in company.clauses:
        asserted = set()
        for st in clause.statements:
            asserted |= {(term(s), term(p), term(o)) for s, p, o in practice_triples(company, clause, st, vocab, keys)}
        closed = asserted | closure_of(asserted, slug, vocab)[0]
        for s, p, o in closed:
            if "/practice/" in s and p != str(PK.hasEvidence):
                found.add((sentence_key(clause.quote), s.rsplit("-", 1)[1], p, str(o)))
    return found


def test_version_rebuilt_from_the_history_graph_equals_a_direct_drafting(repo, tmp_path, models):
    out = tmp_path / "out"
    assert import_ota(repo, out, models).exit_code == 0
    store = ox.Store()
    store.load(path=str(out / graphs.HISTORY_DIR / "ota-bitwarden" / graphs.HISTORY_FILE), format=ox.RdfFormat.N_QUADS)
    for n, text in enumerate((V1, V2, V3), start=1):
        compact = _statements_in_compact(store, str(graphs.ota_version_iri("ota-bitwarden", n)))
        direct = _statements_drafted_directly(REPO, text, "ota-bitwarden", models, tmp_path)
        assert compact == direct, n
    assert _statements_in_compact(store, str(graphs.ota_version_iri("ota-bitwarden", 2))) > \
        {t for t in _statements_in_compact(store, str(graphs.ota_version_iri("ota-bitwarden", 1)))}


def test_full_graph_per_version_is_counted_without_making_it(repo, models):
    results = [r for r in importer.read(repo) if r.service == "Bitwarden"]
    sentences = drafts.version_sentences([v.text for v in results[0].history.kept])
    settings = settings_for(REPO, models)
    found = drafts.classify(list(dict.fromkeys(k for v in sentences for k in v.keys)), settings)
    job = importer.service_job(results[0], "bitwarden", sentences, found.drafts, drafts.model_info(models / MODEL_FILE))
    sm = graphs.ServiceMapper(job, settings)
    history = sm.close(sm.history())
    made = [len(sm.close(sm.version_graph(i, v.text, s.spans))) for i, (v, s) in enumerate(zip(results[0].history.kept, sentences))]
    figures = graphs.service_graphs(job, settings).figures
    assert figures["full_graph_per_version_quads"] == sum(made)
    assert figures["history_quads"] == len(history) < sum(made)
    assert figures["in_version_links"] == sum(len([k for k in v.keys if k in sm.statements]) for v in sentences)


def test_the_import_loads_with_extra_kg_and_validates_and_its_history_loads_apart(repo, tmp_path, models):
    from rdflib import Dataset, Graph

    from privacy_kg.validate import validate_company
    out = tmp_path / "out"
    assert import_ota(repo, out, models).exit_code == 0
    kg = REPO / "kg"
    company = ox.NamedNode("https://w3id.org/privacy-kg/graph/ota-bitwarden")
    for history in (False, True):  # the compact history is never loaded with --extra-kg, not even for history queries
        names = {g.value for g in open_store(kg, extra=[out], history=history).named_graphs()}
        assert company.value in names and not any(n.endswith("/history") for n in names)
    # companies/ and inferred/ (what validate reads) hold the latest version's graph, split as build splits it
    asserted, inferred = Graph().parse(out / "companies" / "ota-bitwarden.ttl"), Graph().parse(out / "inferred" / "ota-bitwarden.ttl")
    quads = Dataset().parse(out / "quads" / "ota-bitwarden.nq", format="nquads").graph(URIRef(company.value))
    assert len(asserted) and len(inferred) and not set(asserted) & set(inferred)
    assert set(asserted) | set(inferred) == set(quads)
    validation = validate_company("ota-bitwarden", out, REPO / "ontology")
    assert not validation.inconsistencies and sum(validation.coverage.values()) > 0
    assert [f for f in validation.findings if f.severity == "Violation"] == []
    store = ox.Store()
    store.load(path=str(out / graphs.HISTORY_DIR / "ota-bitwarden" / graphs.HISTORY_FILE), format=ox.RdfFormat.N_QUADS)
    versions = list(store.query("""PREFIX pk: <https://w3id.org/privacy-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?n ?kind ?before WHERE { GRAPH <https://w3id.org/privacy-kg/graph/ota-bitwarden/history> { ?v a pk:PolicyVersion ; pk:versionNumber ?n ; pk:recordKind ?kind ;
        prov:specializationOf/pk:ofCompany/pk:slug "ota-bitwarden" OPTIONAL { ?v prov:wasRevisionOf/pk:versionNumber ?before } } }
        ORDER BY ?n"""))
    assert [(int(r["n"].value), r["kind"].value, r["before"] and int(r["before"].value)) for r in versions] == \
        [(1, "first-record", None), (2, "service-change", 1), (3, "service-change", 2)]


def test_no_model_still_imports_and_says_drafts_were_skipped(repo, tmp_path):
    empty = tmp_path / "no-models"
    empty.mkdir()
    result = import_ota(repo, tmp_path / "out", empty)
    assert result.exit_code == 0, result.output
    assert "drafts skipped: no trained model" in " ".join(result.output.split())
    report = json.loads((tmp_path / "out" / "import-report.json").read_text())
    assert report["drafts"]["skipped"].startswith("no trained model at") and report["versions_kept"] == 5
    assert not (tmp_path / "out" / "quads").exists() and (tmp_path / "out" / "bitwarden" / "versions" / "0003.md").exists()


def test_a_broken_model_is_refused_and_nothing_is_written(repo, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / MODEL_FILE).write_bytes(b"not a model")
    result = import_ota(repo, tmp_path / "out", broken)
    assert result.exit_code == 2 and "cannot read the model" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_no_drafts_then_drafts_then_no_drafts_leaves_only_what_each_wrote(repo, tmp_path, models):
    out = tmp_path / "out"
    assert import_ota(repo, out, models, "--no-drafts").exit_code == 0 and not (out / "quads").exists()
    assert import_ota(repo, out, models).exit_code == 0
    assert (out / "quads" / "ota-tiny.nq").exists() and (out / graphs.HISTORY_DIR / "ota-other" / graphs.HISTORY_FILE).exists()
    manifest = set(json.loads((out / importer.MANIFEST).read_text())["files"])
    assert "quads/ontology.nq" in manifest and f"{graphs.HISTORY_DIR}/ota-bitwarden/history.nq" in manifest
    assert import_ota(repo, out, models, "--no-drafts").exit_code == 0
    assert not (out / "quads").exists() and not (out / graphs.HISTORY_DIR).exists() and not (out / "companies").exists()


def test_segmenting_with_a_memo_is_segmenting_without(tmp_path):
    memo: dict = {}
    for text in (V1, V2, V3, OTHER, V1.replace("\n\n", "\n")):
        assert blocks(text, memo) == blocks(text)


def test_the_lexicons_prefilter_finds_what_every_pattern_finds():
    vocab = Project(REPO).vocabulary
    lexicon = Lexicon(vocab, vocab.descendants(PK.DataType))
    texts = [COLLECT, RETAIN, SHARE, COOKIES, MERGER, "We collect your E-MAIL addresses and IP Addresses.",
             "Wir speichern Ihre e-mail Adresse und Cookies.", "PIN numbers, SSL and geolocation data"]
    for text in texts:
        fast = lexicon.match(text)
        lexicon_all = Lexicon(vocab, vocab.descendants(PK.DataType))
        lexicon_all.by_needle = {"": lexicon_all.entries}  # every pattern tried
        assert fast == lexicon_all.match(text), text
    assert any(lexicon.match(t) for t in texts)


def test_a_process_pool_writes_what_one_process_writes(repo, tmp_path, models):
    assert import_ota(repo, tmp_path / "one", models).exit_code == 0
    pooled = CliRunner().invoke(app, ["import", "ota", str(repo), "--out", str(tmp_path / "pool"), "--models", str(models),
                                      "-j", "2", "--executor", "local"])
    assert pooled.exit_code == 0, pooled.output
    one, pool = (sorted(p.relative_to(tmp_path / d) for p in (tmp_path / d).rglob("*.nq")) for d in ("one", "pool"))
    assert one == pool and len(one) == 7  # ontology + 3 latest versions + 3 histories
    for rel in one:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "pool" / rel).read_bytes(), rel
