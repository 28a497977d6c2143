"""Tagging a policy text: clauses with proposed statements, each with its confidence.

For every clause (a sentence), the classifier reads the clause and its paragraph (with the paragraph's
title); each label above the draft threshold becomes one statement whose practice classes are the label's
candidates named in the clause (by the ontology's verbs: "sell", "opt out"...), or the label's default.
Modality comes from the cue rules. Every other key whose values are ontology terms (data, purposes,
recipients, rights, legal_basis, destinations, transfer_mechanisms...: the statement-key table decides)
is proposed when its lexicon finds a term in the clause; the clause's words describe each of its
statements alike. Clauses with no label above the threshold are left out: explanatory sentences are
not tagged.

`alone=True` drafts each sentence from its own words only (segment.sentence_key: no paragraph, no position),
so the draft of a sentence is a function of its key: the Open Terms Archive import classifies each distinct
key once for every version and service that holds it (privacy_kg.ota.drafts)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from rdflib import URIRef

from privacy_kg import quotes
from privacy_kg.namespaces import local_name
from privacy_kg.ontology import Vocabulary
from privacy_kg.tagger.labels import LabelMap
from privacy_kg.tagger.lexicon import Lexicons, Match
from privacy_kg.tagger.modality import Modality, ModalityCues
from privacy_kg.tagger.model import CategoryModel
from privacy_kg.segment import Block, Span, blocks, clean, sentence_key
from privacy_kg.statement_keys import KeySpec

SENTENCE_WEIGHT = 0.5  # a clause's label probability: this much from the sentence, the rest from its paragraph
# A draft is reviewed, so it favours recall: on the five seed policies, 0.4 recovers 71% of the hand
# tags' topics at 56% precision (0.5: 65% / 64%).
DRAFT_THRESHOLD = 0.4
ID_WORDS = 6


@dataclass(frozen=True)
class Context:
    modality: str  # Does, DoesNot or May
    verb_at: int | None  # where the first practice verb of the clause starts (None: no verb named)


# Where keys share a range (conditions / unless: Condition; actor / recipients: Party), a term found in
# the clause goes to the first of them whose role the clause gives it, else to the first key of the
# table with no role here: an exception qualifies a denied practice; the actor is named before the
# practice's verb ("advertisers may collect"), a recipient after it ("we share it with advertisers").
ROLES = {
    "unless": lambda m, ctx: ctx.modality == "DoesNot",
    "actor": lambda m, ctx: ctx.verb_at is not None and m.end <= ctx.verb_at,
}
_STOP = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "by", "is", "are", "be", "this", "that", "with", "as", "at", "it", "its", "our", "your", "you", "we"}


@dataclass(frozen=True)
class Value:
    name: str  # an ontology local name
    confidence: float
    evidence: str  # why it was proposed: the words matched, or the cue


@dataclass
class Tag:
    key: str  # a statement key: practice, modality, data...
    values: list[Value]


@dataclass
class DraftStatement:
    label: str  # the OPP-115 label it comes from
    confidence: float  # the label's probability
    tags: list[Tag]


@dataclass
class DraftClause:
    id: str
    span: Span
    occurrence: int | None  # None: the quote occurs once
    statements: list[DraftStatement]
    confidence: float


@dataclass
class Draft:
    slug: str
    clauses: list[DraftClause] = field(default_factory=list)
    segments: int = 0


def clause_id(text: str, taken: set[str]) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", clean(text).lower()) if w not in _STOP][:ID_WORDS] or ["clause"]
    base = "-".join(words)
    cid, n = base, 2
    while cid in taken:
        cid, n = f"{base}-{n}", n + 1
    taken.add(cid)
    return cid


def occurrence(text: str, span: Span) -> int | None:
    """Which occurrence of the quote (as the checker finds quotes: whitespace-insensitive) the span is;
    None when the quote occurs once (the checker requires `occurrence:` only for an ambiguous quote)."""
    found = quotes.occurrences(text, span.text)
    if len(found) <= 1:
        return None
    return next((n for n, (start, _) in enumerate(found, start=1) if start >= span.start), len(found))


class Tagger:
    def __init__(self, model: CategoryModel, vocab: Vocabulary, keys: dict[str, KeySpec], threshold: float = DRAFT_THRESHOLD,
                 alone: bool = False):
        self.model = model
        self.alone = alone
        self.threshold = threshold
        self.vocab = vocab
        self.keys = keys
        self.lexicons = Lexicons(vocab, keys)
        self.cues = ModalityCues(vocab)
        self.labels = LabelMap(vocab)

    def probabilities(self, found: list[Block]) -> list[np.ndarray]:
        """Per block, one row per clause: the mix of the clause's and its paragraph's label probabilities."""
        if not found:
            return []
        if self.alone:
            P = self.model.predict_proba_alone([sentence_key(s.text) for b in found for s in b.sentences])
            bounds = np.cumsum([0] + [len(b.sentences) for b in found])
            return [P[bounds[i]:bounds[i + 1]] for i in range(len(found))]
        paragraphs = [clean(f"{b.heading}. {b.span.text}" if b.heading else b.span.text) for b in found]
        sentences = [[clean(s.text) for s in b.sentences] for b in found]
        P_par = self.model.predict_proba([paragraphs])  # the policy as one document of paragraphs
        P_sent = self.model.predict_proba(sentences)  # each paragraph as a document of sentences
        rows, start = [], 0
        for i, b in enumerate(found):
            n = len(b.sentences)
            rows.append(SENTENCE_WEIGHT * P_sent[start:start + n] + (1 - SENTENCE_WEIGHT) * P_par[i])
            start += n
        return rows

    def practices(self, label: str, text: str) -> list[tuple[URIRef, str]]:
        """The label's practice classes the clause names (by their labels and synonyms), each with the
        words that named it; or the label's default class."""
        candidates = set(self.labels.candidates[label])
        named = [(m.term, f'"{m.phrase}"') for m in self.lexicons.practices.match(text) if m.term in candidates]
        return named or [(self.labels.default(label), "default: no verb of the category named")]

    def attributes(self, text: str, modality: Modality, found: dict[URIRef, list[Match]]) -> list[Tag]:
        """The term-valued keys the clause names, in table order: each term found goes to one key of its
        range (ROLES); a key that takes one value keeps its best match."""
        verbs = self.lexicons.practices.match(text)
        ctx = Context(modality.value, verbs[0].start if verbs else None)
        given: dict[str, list[Match]] = {}
        for rng, keys in self.lexicons.keys_by_range.items():
            plain = next((k for k in keys if k not in ROLES), keys[0])
            for m in found[rng]:
                key = next((k for k in keys if k in ROLES and ROLES[k](m, ctx)), plain)
                given.setdefault(key, []).append(m)
        tags = []
        for key in self.lexicons.specs:
            matches = given.get(key)
            if matches:
                if not self.keys[key].many:
                    matches = [max(matches, key=lambda m: (m.confidence, -m.start))]
                tags.append(Tag(key, _values(matches)))
        return tags

    def statement(self, label: str, p: float, text: str, modality: Modality, attributes: list[Tag]) -> DraftStatement:
        tags = [Tag("practice", [Value(local_name(t), round(float(p), 2), why) for t, why in self.practices(label, text)]),
                Tag("modality", [Value(modality.value, modality.confidence,
                                       f'cue "{modality.cue}"' if modality.cue else "no negation or hedge")])]
        return DraftStatement(label, round(float(p), 2), tags + attributes)

    def statements(self, words: str, row: np.ndarray) -> list[DraftStatement]:
        """The statements of a clause whose words are `words` and label probabilities `row`, most probable
        label first; none when no label reaches the threshold."""
        chosen = [(self.model.labels[k], row[k]) for k in np.argsort(-row) if row[k] >= self.threshold]
        if not chosen:
            return []
        modality = self.cues.classify(words)
        attributes = self.attributes(words, modality, self.lexicons.match(words))
        return [self.statement(label, p, words, modality, attributes) for label, p in chosen]

    def draft_sentences(self, keys: list[str]) -> list[list[DraftStatement]]:
        """Each sentence key (segment.sentence_key) drafted alone: its statements, [] when it states none."""
        if not keys:
            return []
        return [self.statements(key, row) for key, row in zip(keys, self.model.predict_proba_alone(keys))]

    def tag(self, text: str, slug: str) -> Draft:
        found = blocks(text)
        draft = Draft(slug, segments=sum(len(b.sentences) for b in found))
        taken: set[str] = set()
        for block, rows in zip(found, self.probabilities(found)):
            for span, row in zip(block.sentences, rows):
                statements = self.statements(sentence_key(span.text) if self.alone else clean(span.text), row)
                if statements:
                    draft.clauses.append(DraftClause(clause_id(span.text, taken), span, occurrence(text, span),
                                                     statements, statements[0].confidence))
        return draft


def _values(matches: list[Match]) -> list[Value]:
    return [Value(m.name, m.confidence, f'"{m.phrase}"') for m in matches]
