from __future__ import annotations

import logging

from privacy_kg.report import ontology_docs


def test_pylode_documents_every_topic_and_leaves_logging_alone(repo):
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    docs = ontology_docs.generate(repo.ontology_dir)
    assert (list(root.handlers), root.level) == before
    assert all(docs.anchor(t) == t.removeprefix("pk:") for t in ("pk:CollectionAndUse", "pk:DoNotTrack", "pk:hasDataType"))
    assert docs.anchor("pk:NoSuchTerm") is None and docs.anchor("id:acme/practice/x-1") is None
    assert "privacy-kg ontology" in docs.html
