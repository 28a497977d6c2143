"""Precision, recall and F1 over sets of labels, per label and pooled (micro) or averaged (macro)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "support": self.support, "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True)
class Report:
    per_label: dict[str, Score]

    @property
    def micro(self) -> Score:
        return Score(*(sum(getattr(s, k) for s in self.per_label.values()) for k in ("tp", "fp", "fn")))

    @property
    def macro_f1(self) -> float:
        """The mean of the labels' F1, over the labels present in the gold standard."""
        present = [s for s in self.per_label.values() if s.support]
        return sum(s.f1 for s in present) / len(present) if present else 0.0

    def as_dict(self) -> dict:
        return {"micro": self.micro.as_dict(), "macro_f1": round(self.macro_f1, 4),
                "per_label": {k: v.as_dict() for k, v in self.per_label.items()}}


def score(gold: Iterable[set[str] | frozenset[str]], predicted: Iterable[set[str] | frozenset[str]], labels: Sequence[str]) -> Report:
    counts = {label: [0, 0, 0] for label in labels}
    for g, p in zip(gold, predicted, strict=True):
        for label in labels:
            if label in p and label in g:
                counts[label][0] += 1
            elif label in p:
                counts[label][1] += 1
            elif label in g:
                counts[label][2] += 1
    return Report({label: Score(*c) for label, c in counts.items()})
