"""The category classifier: one class-balanced logistic regression per OPP-115 label over the segment
features, trained on whole policies.

Tried on OPP-115 (5-fold by policy, issue 9) and left out, none raising the micro-F1 of 77.0: per-label
or global thresholds chosen on out-of-fold predictions of the training policies (76.3 / 76.9; even the
best thresholds on the test folds give only 77.3), unbalanced classes with such thresholds (76.2), soft
targets from the annotators' votes (76.5), C of 1, 2 or 8 (76.1-77.0), a linear SVM (<= 77.1), NB-SVM
scaling (<= 76.9), a second stage over the 12 probabilities of a segment and its neighbours (<= 76.8),
an MLP on the embeddings (70.6; lower in an average). Embedding weights, the neighbours' TF-IDF and
pooled sentence embeddings moved it by half a point at most (77.1-77.5), not enough to keep. Fine-tuning
all-MiniLM-L6-v2 itself (session 3, fold 1 only: 4 epochs, 14 min of 2 CPU cores) scored 72.7-73.5 alone
and 77.8 averaged with this model, against 76.8 for this model on that fold: not worth 14 min a fold.
Session 5: fine-tuned again at learning rate 1.5e-4, 128 tokens, 6 epochs (fold 1, 29 min): 75.9 alone, 77.7
averaged. all-mpnet-base-v2, the one larger sentence encoder found on PyPI for offline use (split over five
wheels from an unknown publisher, reassembled by hand): 77.4 in place of MiniLM, 77.7 beside it (5 folds),
for a 440 MB download and 9 min of encoding: not kept. Session 6: the sentences that annotators' spans fall
in, added as 3,721 extra training rows (labelled by a quorum of 2): 76.2 against 75.8 with TF-IDF alone, 77.0
against 77.0 with the embeddings: not kept. Sentence encoders in a linear model top out near 77-78."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sklearn
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression

from privacy_kg.tagger.embeddings import Encoder
from privacy_kg.tagger.features import Featurizer
from privacy_kg.tagger.labels import LABELS

C = 4.0
THRESHOLD = 0.5
FORMAT = 2  # bump when a saved model can no longer be read by this code (2: skops, no pickle)


def _fit_one(X, y: np.ndarray) -> LogisticRegression | None:
    if y.min() == y.max():
        return None  # a label absent (or everywhere) in the training policies: predicted constant
    # The dual problem: far fewer segments than features, so ~3x faster than the primal, same optimum.
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=2000).fit(X, y)


@dataclass
class CategoryModel:
    featurizer: Featurizer
    classifiers: list  # one per label: a fitted classifier, or None for a constant label
    constants: list[float]  # the probability used where the classifier is None
    labels: tuple[str, ...] = LABELS
    threshold: float = THRESHOLD
    trained_on: tuple[str, ...] = ()  # policy names, to warn when evaluating on a training policy
    info: dict = field(default_factory=dict)
    format: int = FORMAT

    @classmethod
    def fit(cls, docs: Sequence[Sequence[str]], labels: Sequence[Sequence[frozenset[str]]],
            names: Sequence[str] = (), encoder: Encoder | None = None, jobs: int = 2) -> "CategoryModel":
        featurizer = Featurizer(encoder).fit(docs)
        X = featurizer.transform(docs)
        Y = np.array([[label in given for label in LABELS] for doc in labels for given in doc], dtype=int).reshape(-1, len(LABELS))
        classifiers = Parallel(n_jobs=jobs)(delayed(_fit_one)(X, Y[:, k]) for k in range(len(LABELS)))
        constants = [float(Y[:, k].max()) if Y.size else 0.0 for k in range(len(LABELS))]
        info = {"trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "policies": len(docs),
                "segments": int(X.shape[0]), "embeddings": featurizer.uses_embeddings, "sklearn": sklearn.__version__}
        return cls(featurizer, classifiers, constants, trained_on=tuple(names), info=info)

    def to_parts(self) -> dict:
        """The model as builtins and scikit-learn objects only, for a store that runs no code (skops)."""
        f = self.featurizer
        return {"format": self.format, "words": f.words, "chars": f.chars, "embeddings": f.uses_embeddings,
                "classifiers": list(self.classifiers), "constants": list(self.constants), "labels": list(self.labels),
                "threshold": self.threshold, "trained_on": list(self.trained_on), "info": dict(self.info)}

    @classmethod
    def from_parts(cls, parts: dict, encoder: Encoder | None = None) -> "CategoryModel":
        featurizer = Featurizer(encoder)
        featurizer.words, featurizer.chars = parts["words"], parts["chars"]
        return cls(featurizer, list(parts["classifiers"]), list(parts["constants"]), tuple(parts["labels"]),
                   parts["threshold"], tuple(parts["trained_on"]), dict(parts["info"]), parts["format"])

    def predict_proba(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """One row per segment (documents in order), one column per label."""
        return self._proba(self.featurizer.transform(docs))

    def predict_proba_alone(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, each classified on its own (Featurizer.transform_alone): a function of the text only."""
        return self._proba(self.featurizer.transform_alone(texts))

    def _proba(self, X) -> np.ndarray:
        P = np.zeros((X.shape[0], len(self.labels)))
        for k, clf in enumerate(self.classifiers):
            P[:, k] = clf.predict_proba(X)[:, 1] if clf is not None else self.constants[k]
        return P

    def predict(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        return self.predict_proba(docs) >= self.threshold
