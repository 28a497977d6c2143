"""Modality of a clause (Does / DoesNot / May) from negation and hedging cues.

The cues are the ontology's synonyms of the modality values (DoesNot: "will not", "never", "do not";
May: "may", "might", "reserve the right"), plus the grammar of English negation that no vocabulary
lists: "not" and "n't" after any auxiliary, "no"/"none"/"neither" before what is denied. Negations
inside a condition ("if you do not wish to...") or a relative clause ("which does not identify you")
do not deny the practice, so those parts are set aside first. "except", "unless" and "without" open
an exception: the words after them name the conditions (`unless:` on a denied practice)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from privacy_kg.namespaces import PK
from privacy_kg.ontology import Vocabulary
from privacy_kg.tagger.lexicon import phrase_pattern

_CONTRACTION = re.compile(r"\b(can|won|don|doesn|didn|isn|aren|wasn|weren|shan|shouldn|wouldn|couldn|haven|hasn)'?t\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|never|neither|nor|none|cannot)\b|\bno\s+(?!longer\b|later\b|more than\b|less than\b|one\b)\w", re.IGNORECASE)
# A subordinate condition or relative clause, up to the next comma, semicolon or end of sentence.
_ASIDE = re.compile(r"(?:\b(?:if|whether|when|whenever|should you|in case|unless|except|which|who|that)\b)[^,;]*", re.IGNORECASE)
_EXCEPTION = re.compile(r"\b(?:except|unless|without|other than|only if)\b", re.IGNORECASE)

MODALITIES = ("Does", "DoesNot", "May")


@dataclass(frozen=True)
class Modality:
    value: str  # Does, DoesNot or May
    confidence: float
    cue: str | None  # the words that decided it
    exception: bool  # the clause states an exception ("except", "unless", "without")


def _expand(text: str) -> str:
    """won't -> will not, don't -> do not, can't -> can not."""
    def expand(m: re.Match) -> str:
        stem = m.group(1).lower()
        return {"won": "will", "can": "can", "shan": "shall"}.get(stem, stem[:-1] if stem.endswith("n") else stem) + " not"
    return _CONTRACTION.sub(expand, text.replace("’", "'"))


class ModalityCues:
    def __init__(self, vocab: Vocabulary):
        def cues(value):
            return [phrase_pattern(p, inflect=False) for p in [vocab.label(value), *vocab.alt_labels(value)] if p.strip()]
        self.denied = cues(PK.DoesNot)
        self.hedged = cues(PK.May)

    def classify(self, text: str) -> Modality:
        text = _expand(text)
        main = _ASIDE.sub(" ", text)  # the main clause, without conditions and relative clauses
        exception = bool(_EXCEPTION.search(text))
        for pattern in self.denied:
            m = pattern.search(main)
            if m:
                return Modality("DoesNot", 0.85, m.group(), exception)
        m = _NEGATION.search(main)
        if m:
            return Modality("DoesNot", 0.75, m.group(), exception)
        for pattern in self.hedged:
            m = pattern.search(main)
            if m:
                return Modality("May", 0.8, m.group(), exception)
        return Modality("Does", 0.6, None, exception)
