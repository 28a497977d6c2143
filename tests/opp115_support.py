"""Shared by the OPP-115 tests: where the real corpus is (or why its tests skip), the fixture folder in its
format, and the counts a policy's practices must have, computed straight from its CSV in a few lines
that share nothing with the importer."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Graph

from conftest import FIXTURES, SHARED
from privacy_kg.namespaces import PK, local_name
from privacy_kg.ontology import Vocabulary

FIXTURE = FIXTURES / "opp115"
CORPUS_ENV, REQUIRE_ENV = "PRIVACY_KG_OPP115", "PRIVACY_KG_REQUIRE_OPP115"

# the topic (a pk:isTopic class) each OPP-115 category lands in; Other's privacy contact information is
# the contact topic
CATEGORY_OF_TOPIC = {
    "CollectionAndUse": "First Party Collection/Use",
    "ThirdPartySharingAndCollection": "Third Party Sharing/Collection",
    "UserChoiceAndControl": "User Choice/Control",
    "UserAccessEditDeletion": "User Access, Edit and Deletion",
    "DataRetention": "Data Retention",
    "DataSecurity": "Data Security",
    "PolicyChange": "Policy Change",
    "DoNotTrack": "Do Not Track",
    "ChildrenAndSpecificAudiences": "International and Specific Audiences",
    "PrivacyContact": "Other",
    "OtherPractice": "Other",
}


def corpus_path() -> Path:
    return Path(os.environ.get(CORPUS_ENV) or SHARED / "opp115")


@pytest.fixture(scope="session")
def opp115_path() -> Path:
    """The real OPP-115 folder; its tests skip when it is absent, or fail when CI requires it."""
    path = corpus_path()
    if (path / "sanitized_policies").is_dir():
        return path
    reason = f"the OPP-115 corpus is not at {path} (set {CORPUS_ENV} or put it at ../shared/opp115)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires it")
    pytest.skip(reason)


def csv_counts(csv_path: Path) -> tuple[Counter, Counter]:
    """Practices per category and per (category, modality), straight from an annotation CSV."""
    per_category, per_modality = Counter(), Counter()
    with open(csv_path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            said = json.loads(row[6]).get("Does/Does Not", {}).get("value")
            per_category[row[5]] += 1
            per_modality[row[5], "DoesNot" if said == "Does Not" else "Does"] += 1
    return per_category, per_modality


def graph_counts(graph: Graph, vocab: Vocabulary) -> tuple[Counter, Counter]:
    """The same counts read from a company graph: each practice's topic, back to its category."""
    per_category, per_modality = Counter(), Counter()
    for practice in set(graph.subjects(RDF.type, PK.Practice)):
        topics = {local_name(t) for c in graph.objects(practice, RDF.type) for t in vocab.ancestors(c) if t in vocab.topics}
        assert len(topics) == 1, f"{practice} has topics {topics}"
        category = CATEGORY_OF_TOPIC[topics.pop()]
        per_category[category] += 1
        per_modality[category, local_name(graph.value(practice, PK.hasModality))] += 1
    return per_category, per_modality

