"""Evaluation on an OPP-115-format folder, split by document (never by segment):

- categories: segment-level P/R/F1 per label, micro and macro, majority-vote labels; either by k-fold
  cross-validation over the folder's policies (each policy is tested once, by a model that never saw
  it), or with an already trained model on every policy of the folder;
- modality: accuracy of the cue rules on the sentences annotators marked Does / Does Not;
- data types: F1 of the ontology lexicon (mapped to OPP-115 Personal Information Types through
  pk:opp115) on the segments the classifier assigns a data-bearing category."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from privacy_kg.namespaces import PK
from privacy_kg.ontology import Vocabulary
from privacy_kg.problems import InputError, Problem
from privacy_kg.tagger.dataset import Document
from privacy_kg.tagger.embeddings import Encoder
from privacy_kg.tagger.labels import DATA_LABELS, LABELS
from privacy_kg.tagger.lexicon import Lexicon
from privacy_kg.tagger.metrics import Report, Score, score
from privacy_kg.tagger.model import CategoryModel
from privacy_kg.tagger.modality import ModalityCues

DATA_TYPE_PREFIX = "Personal Information Type: "
# Published results on the same 12-label task (segment-level split, so not directly comparable).
PRIVBERT = {"micro_f1": 0.872, "macro_f1": 0.821}


@dataclass
class Evaluation:
    method: str
    policies: int
    segments: int
    categories: Report
    modality: dict
    data_types: Report
    seconds: dict = field(default_factory=dict)
    folds: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "method": self.method, "policies": self.policies, "segments": self.segments,
            "categories": self.categories.as_dict(), "modality": self.modality,
            "data_types": {"micro": self.data_types.micro.as_dict(), "macro_f1": round(self.data_types.macro_f1, 4)},
            "folds": self.folds, "seconds": self.seconds, "privbert": PRIVBERT, "warnings": self.warnings,
        }


def fold_of(docs: Sequence[Document], folds: int) -> list[int]:
    """Policies dealt round-robin into folds in name order: deterministic, and whole policies only."""
    order = sorted(range(len(docs)), key=lambda i: docs[i].name)
    assignment = [0] * len(docs)
    for rank, i in enumerate(order):
        assignment[i] = rank % folds
    return assignment


def _texts(docs: Sequence[Document]) -> list[list[str]]:
    return [[e.text for e in d.examples] for d in docs]


def _labels(docs: Sequence[Document]) -> list[list[frozenset[str]]]:
    return [[e.labels for e in d.examples] for d in docs]


def _as_sets(P: np.ndarray, threshold: float) -> list[set[str]]:
    return [{LABELS[k] for k in np.flatnonzero(row >= threshold)} for row in P]


def cross_validated(docs: Sequence[Document], folds: int, encoder: Encoder | None,
                    progress: Callable[[str], None] = lambda _: None) -> tuple[list[set[str]], list[dict]]:
    """Predicted labels for every segment, each policy predicted by the model of the fold that held it out."""
    if len(docs) < 2:
        raise InputError([Problem(docs[0].name if docs else "(no policy)", None, None,
                                  "cross-validation by policy needs at least two policies; use --trained to test a trained model")])
    folds = max(2, min(folds, len(docs)))
    assignment = fold_of(docs, folds)
    predicted: dict[int, list[set[str]]] = {}
    per_fold = []
    for f in range(folds):
        train = [d for d, a in zip(docs, assignment) if a != f]
        test = [d for d, a in zip(docs, assignment) if a == f]
        start = time.perf_counter()
        model = CategoryModel.fit(_texts(train), _labels(train), [d.name for d in train], encoder)
        rows = _as_sets(model.predict_proba(_texts(test)), model.threshold)
        it = iter(rows)
        for i, a in enumerate(assignment):
            if a == f:
                predicted[i] = [next(it) for _ in docs[i].examples]
        report = score([e.labels for d in test for e in d.examples], rows, LABELS)
        per_fold.append({"fold": f + 1, "policies": len(test), "micro_f1": round(report.micro.f1, 4),
                         "macro_f1": round(report.macro_f1, 4), "seconds": round(time.perf_counter() - start, 1)})
        progress(f"fold {f + 1}/{folds}: micro-F1 {report.micro.f1:.3f}, macro-F1 {report.macro_f1:.3f}")
    return [s for i in range(len(docs)) for s in predicted[i]], per_fold


def modality_accuracy(docs: Sequence[Document], cues: ModalityCues) -> dict:
    """The cue rules against the annotators' Does / Does Not (OPP-115 has no 'may': May counts as Does)."""
    gold, pred = [], []
    for d in docs:
        for case in d.modality:
            gold.append(case.value == "Does Not")
            pred.append(cues.classify(case.sentence).value == "DoesNot")
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, pred))
    does_not = Score(sum(g and p for g, p in zip(gold, pred)), sum(p and not g for g, p in zip(gold, pred)),
                     sum(g and not p for g, p in zip(gold, pred)))
    return {"sentences": n, "accuracy": round(correct / n, 4) if n else None,
            "majority_baseline": round(max(sum(gold), n - sum(gold)) / n, 4) if n else None,
            "does_not": does_not.as_dict()}


def data_type_map(vocab: Vocabulary) -> dict[str, str]:
    """Ontology data type (local IRI) -> OPP-115 Personal Information Type (lower case), from pk:opp115."""
    found = {}
    for term in vocab.descendants(PK.DataType):
        said = str(vocab.graph.value(term, PK.opp115) or "")
        if said.startswith(DATA_TYPE_PREFIX):
            found[str(term)] = said[len(DATA_TYPE_PREFIX):].strip().lower()
    return found


def data_type_report(docs: Sequence[Document], predicted: Sequence[set[str]], vocab: Vocabulary) -> Report:
    mapping = data_type_map(vocab)
    lexicon = Lexicon(vocab, vocab.descendants(PK.DataType) - {PK.DataType})  # the lexicon of the `data` key
    examples = [e for d in docs for e in d.examples]
    gold, pred = [], []
    for example, labels in zip(examples, predicted):
        gold.append(example.data_types)
        found = set()
        if labels & DATA_LABELS:
            found = {mapping[str(m.term)] for m in lexicon.match(example.text) if str(m.term) in mapping}
        pred.append(found)
    values = sorted(set().union(*gold, *pred)) if gold else []
    return score(gold, pred, values)


def evaluate(docs: Sequence[Document], vocab: Vocabulary, *, folds: int = 5, model: CategoryModel | None = None,
             encoder: Encoder | None = None, progress: Callable[[str], None] = lambda _: None) -> Evaluation:
    """Cross-validate by policy (no model given), or test the given trained model on every policy."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    warnings = []
    if model is None:
        predicted, per_fold = cross_validated(docs, folds, encoder, progress)
        method = f"{max(2, min(folds, len(docs)))}-fold cross-validation by policy"
    else:
        seen = sorted(set(model.trained_on) & {d.name for d in docs})
        if seen:
            warnings.append(f"{len(seen)} of these policies were in the model's training data (e.g. {seen[0]}): scores are optimistic")
        predicted = _as_sets(model.predict_proba(_texts(docs)), model.threshold)
        per_fold = []
        method = "trained model on every policy"
    timings["categories"] = round(time.perf_counter() - start, 1)
    gold = [e.labels for d in docs for e in d.examples]
    start = time.perf_counter()
    modality = modality_accuracy(docs, ModalityCues(vocab))
    data_types = data_type_report(docs, predicted, vocab)
    timings["modality_and_data_types"] = round(time.perf_counter() - start, 1)
    return Evaluation(method, len(docs), len(gold), score(gold, predicted, LABELS), modality, data_types,
                      timings, per_fold, warnings)
