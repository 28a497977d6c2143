"""The ontology's OWL 2 claims, checked by the tools of the OWL world (issue 16 case 30): the OWL API's profile
checker finds it in OWL 2 RL (and DL), and the DL reasoners HermiT and Pellet (bundled with owlready2, run on
Java) find the ontology with a built company graph consistent, with no unsatisfiable class, and classify the
company's individuals exactly as the OWL 2 RL closure in kg/ does.

Java (and javac for the profile checker) come from Debian (`.ci/setup-system`); the tests skip without them,
unless PRIVACY_KG_REQUIRE_JAVA=1 (CI), which makes their absence a failure. owlready2 reads N-Triples, so
every input is converted with rdflib first."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal

from conftest import REPO
from privacy_kg.namespaces import ID, PK

owlready2 = pytest.importorskip("owlready2")

REQUIRE_JAVA = "PRIVACY_KG_REQUIRE_JAVA"
SAMPLE = "voipcom"  # the smallest seed (68 practices): realising its individuals takes HermiT about 20 s
PROFILE_SOURCE = Path(__file__).resolve().parent / "java" / "OwlProfile.java"
HERMIT_JAR = Path(owlready2.__file__).resolve().parent / "hermit" / "HermiT.jar"
# Literals typed with datatypes outside the OWL 2 datatype map (HermiT refuses them; SHACL checks them)
OUTSIDE_OWL2 = {XSD.date, XSD.duration}


def require(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    if os.environ.get(REQUIRE_JAVA) == "1":
        pytest.fail(f"{REQUIRE_JAVA}=1 but {tool} is not installed: run .ci/setup-system")
    pytest.skip(f"{tool} is not installed: run .ci/setup-system (CI sets {REQUIRE_JAVA}=1 to require it)")


def n_triples(graph: Graph, path: Path) -> Path:
    graph.serialize(path, format="nt", encoding="utf-8")
    return path


def reason(path: Path, reasoner: str) -> tuple[list[str], "owlready2.World"]:
    """The IRIs of the unsatisfiable classes and the reasoned world; OwlReadyInconsistentOntologyError if the
    ontology is inconsistent. HermiT runs strict: an unsupported datatype is an error."""
    require("java")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load()
    run = {"hermit": owlready2.sync_reasoner_hermit, "pellet": owlready2.sync_reasoner_pellet}[reasoner]
    with ontology:
        run(world, debug=0)
    return sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing), world


@pytest.fixture(scope="module")
def sample(repo, tmp_path_factory) -> dict[str, Path]:
    """The ontology plus the sample company's asserted graph, as N-Triples: for Pellet whole, for HermiT without
    the xsd:date and xsd:duration literals it cannot read (the OWL 2 datatype map has no such datatypes)."""
    folder = tmp_path_factory.mktemp("dl")
    graph = Graph().parse(repo.ontology_dir / "privacy-kg.ttl").parse(REPO / "kg" / "companies" / f"{SAMPLE}.ttl")
    outside = {t for t in graph if isinstance(t[2], Literal) and t[2].datatype in OUTSIDE_OWL2}
    assert outside, "the sample should hold dates or durations, or HermiT's input is the same as Pellet's"
    return {"pellet": n_triples(graph, folder / "whole.nt"), "hermit": n_triples(graph - outside, folder / "owl2.nt")}


def closure_members(slug: str) -> dict[str, set[str]]:
    """Class -> the company's individuals typed with it in kg/ (asserted + OWL 2 RL closure)."""
    graph = Graph().parse(REPO / "kg" / "companies" / f"{slug}.ttl").parse(REPO / "kg" / "inferred" / f"{slug}.ttl")
    members: dict[str, set[str]] = {}
    for s, c in graph.subject_objects(RDF.type):
        if str(s).startswith(str(ID[slug])) and str(c).startswith(str(PK)):
            members.setdefault(str(c), set()).add(str(s))
    return members


@pytest.mark.parametrize("reasoner", ["hermit", "pellet"])
def test_the_ontology_with_a_company_graph_is_consistent_and_every_class_satisfiable(sample, repo, reasoner):
    """HermiT refused the ontology while properties had xsd:duration ranges; now both reasoners accept it
    with a built company graph: consistent (no error raised), no class equivalent to owl:Nothing (so none in
    the ontology alone either), and every pk: class holds exactly the company individuals that the OWL 2 RL
    closure in kg/ types with it (the closure is complete on this sample, and the reasoner saw the data)."""
    unsatisfiable, world = reason(sample[reasoner], reasoner)
    assert unsatisfiable == []
    expected = closure_members(SAMPLE)
    namespace = str(ID[SAMPLE])
    found = {}
    for cls in repo.vocabulary.classes:
        if str(cls).startswith(str(PK)) and world[str(cls)] is not None:
            members = {i.iri for i in world[str(cls)].instances() if i.iri.startswith(namespace)}
            if members:
                found[str(cls)] = members
    assert len(expected[str(PK.DeniedPractice)]) >= 5 and len(found) > 50
    assert found == expected


TINY = """@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix : <https://example.org/tiny#> .
<https://example.org/tiny> a owl:Ontology .
:A a owl:Class . :B a owl:Class ; owl:disjointWith :A . :AB a owl:Class ; rdfs:subClassOf :A , :B .
"""


@pytest.mark.parametrize("reasoner", ["hermit", "pellet"])
def test_the_reasoners_report_an_unsatisfiable_class_and_an_inconsistency(tmp_path, reasoner):
    """The harness itself: a class below two disjoint classes is listed; an individual in both is an error."""
    unsatisfiable, _ = reason(n_triples(Graph().parse(data=TINY, format="turtle"), tmp_path / "unsat.nt"), reasoner)
    assert unsatisfiable == ["https://example.org/tiny#AB"]
    clash = Graph().parse(data=TINY + ":x a :A , :B .", format="turtle")
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(n_triples(clash, tmp_path / "clash.nt"), reasoner)


@pytest.fixture(scope="module")
def profiles(repo, tmp_path_factory) -> dict[str, tuple[dict[str, bool], list[str]]]:
    """OwlProfile.java, compiled against the OWL API in HermiT.jar, run once on the ontology ("ontology") and on
    the ontology plus one xsd:duration range ("duration range", the checker's own test): per document, whether
    it is in each profile, and the violations."""
    javac, java = require("javac"), require("java")
    folder = tmp_path_factory.mktemp("profiles")
    ontology = Graph().parse(repo.ontology_dir / "privacy-kg.ttl")
    documents = {"ontology": n_triples(ontology, folder / "ontology.nt"),
                 "duration range": n_triples(ontology.add((PK.hasNoticePeriod, RDFS.range, XSD.duration)), folder / "range.nt")}
    subprocess.run([javac, "-d", str(folder), "-cp", str(HERMIT_JAR), str(PROFILE_SOURCE)], check=True, capture_output=True)
    out = subprocess.run([java, "-cp", os.pathsep.join([str(HERMIT_JAR), str(folder)]), "OwlProfile", *map(str, documents.values())],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    found = {}
    for name, path in documents.items():
        rows = [line.split(" ", 1)[1].split("\t") for line in out if line.split(" ", 1)[1].startswith(f"{path}\t")]
        found[name] = ({r[1]: r[2] == "true" for r in rows if len(r) == 3 and r[2] in ("true", "false")},
                       [f"{r[1]} {r[2]}" for r in rows if len(r) == 3 and r[2] not in ("true", "false")])
    return found


def test_the_owl_api_finds_the_ontology_in_owl2_rl(profiles):
    """The OWL API's profile checker rejected the ontology: 1,024 undeclared annotation properties, 8 undeclared
    dpv: classes, and 5 xsd:date / xsd:duration ranges (UseOfIllegalDataRange)."""
    assert profiles["ontology"] == ({"OWL 2 DL": True, "OWL 2 RL": True}, [])


def test_the_owl_api_profile_check_reports_a_range_outside_owl2_rl(profiles):
    """The checker itself: one xsd:duration range is a violation of OWL 2 RL (and only of RL)."""
    in_profile, violations = profiles["duration range"]
    assert in_profile == {"OWL 2 DL": True, "OWL 2 RL": False}
    assert len(violations) == 1 and violations[0].startswith("OWL 2 RL UseOfIllegalDataRange") and "hasNoticePeriod" in violations[0]
