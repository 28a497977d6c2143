"""Features of a segment for the category classifier: its words (TF-IDF of word 1-2-grams and of
character 2-5-grams), its sentence embedding when available, the embeddings of the segments before
and after it in the same policy (the section it sits in), and its relative position in the policy
(introductions come first, contact details last)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from privacy_kg.tagger.embeddings import Encoder

NEIGHBOUR_WEIGHT = 0.5
CHAR_FEATURES = 60_000
NEUTRAL_POSITION = (0.5, 0.0, 0.0)  # relative position, is first, is last: a sentence read without its policy


def _positions(docs: Sequence[Sequence[str]]) -> np.ndarray:
    rows = []
    for doc in docs:
        n = len(doc)
        for i in range(n):
            rows.append((i / max(n - 1, 1), float(i == 0), float(i == n - 1)))
    return np.array(rows, dtype=np.float32).reshape(-1, 3)


def _shifted(vectors: np.ndarray, sizes: list[int], step: int) -> np.ndarray:
    """Row i gets the vector of the segment `step` places away in the same document (zero if none)."""
    out = np.zeros_like(vectors)
    start = 0
    for n in sizes:
        m = max(n - abs(step), 0)  # rows that have a neighbour that far away
        if step < 0:
            out[start - step:start - step + m] = vectors[start:start + m]
        else:
            out[start:start + m] = vectors[start + step:start + step + m]
        start += n
    return out


class Featurizer:
    def __init__(self, encoder: Encoder | None = None):
        self.encoder = encoder
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode")
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                                     max_features=CHAR_FEATURES, strip_accents="unicode")

    @property
    def uses_embeddings(self) -> bool:
        return self.encoder is not None

    def fit(self, docs: Sequence[Sequence[str]]) -> "Featurizer":
        texts = [t for doc in docs for t in doc]
        min_df = 2 if len(texts) > 20 else 1  # tiny folders (tests) keep every word
        self.words.set_params(min_df=min_df)
        self.chars.set_params(min_df=min_df)
        self.words.fit(texts)
        self.chars.fit(texts)
        return self

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """One row per segment, documents one after the other, in order."""
        texts = [t for doc in docs for t in doc]
        parts = [self.words.transform(texts), self.chars.transform(texts), sp.csr_matrix(_positions(docs))]
        if self.encoder is not None:
            sizes = [len(doc) for doc in docs]
            vectors = self.encoder.encode(texts)
            parts += [sp.csr_matrix(vectors),
                      sp.csr_matrix(NEIGHBOUR_WEIGHT * _shifted(vectors, sizes, -1)),
                      sp.csr_matrix(NEIGHBOUR_WEIGHT * _shifted(vectors, sizes, 1))]
        return sp.hstack(parts).tocsr()

    def transform_alone(self, texts: Sequence[str]) -> sp.csr_matrix:
        """One row per text, each read on its own: its words (and embedding), a neutral position (the body of
        a policy: neither first nor last) and no neighbours, so a text gets the same row wherever it sits."""
        parts = [self.words.transform(texts), self.chars.transform(texts),
                 sp.csr_matrix(np.tile(np.array(NEUTRAL_POSITION, dtype=np.float32), (len(texts), 1)))]
        if self.encoder is not None:
            vectors = self.encoder.encode(list(texts))
            parts += [sp.csr_matrix(vectors), sp.csr_matrix(np.zeros_like(vectors)), sp.csr_matrix(np.zeros_like(vectors))]
        return sp.hstack(parts).tocsr()

    def __getstate__(self):
        state = dict(self.__dict__)
        state["encoder"] = self.encoder is not None  # the model is not pickled, only whether to use it
        return state

    def __setstate__(self, state):
        uses = state.pop("encoder")
        self.__dict__.update(state)
        self.encoder = Encoder() if uses else None
