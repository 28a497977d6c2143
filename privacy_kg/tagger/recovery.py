"""How much of a hand-tagged company the draft recovers: its categories (the ontology's practice topics)
and the values of every statement key (practice classes, modality, data, rights, legal_basis...).

A hand clause's topic (or a key's value) counts as recovered when a draft clause that overlaps it (in
the policy text) proposes it: recall. A draft clause's topic (or value) is right when an overlapping
hand clause has it: precision. Values are compared by name (a named party of the metadata by its class);
a clause's values are those of all its statements. Proposed (machine) clauses of the corpus are not a
reference and are skipped.

`given` scores the same keys on the hand clauses themselves (the draft's attributes of each hand
clause's own words, whether or not the classifier drafted it): what the ontology's synonyms and the cue
rules find, apart from which clauses the classifier picks. Companies fall in an era by the date of their policy: before the GDPR
applied (25 May 2018) or since."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from privacy_kg.corpus import Clause, Company
from privacy_kg.namespaces import PK, local_name
from privacy_kg.segment import clean
from privacy_kg.statement_keys import KeySpec
from privacy_kg.tagger.draft import Draft, DraftClause, Tagger
from privacy_kg.tagger.metrics import Score

GDPR_APPLIES = dt.date(2018, 5, 25)
PRE_GDPR, GDPR_ERA = "pre-GDPR", "GDPR/CCPA"
FREE_TEXT = {"note"}  # keys whose values are prose: nothing to compare
Spans = list[tuple[tuple[int, int], set]]


@dataclass(frozen=True)
class Recovery:
    slug: str
    era: str
    clauses: int  # hand-tagged clauses
    recovered_clauses: int  # with every topic recovered
    topics: Score  # over (clause, topic) pairs
    keys: dict[str, Score] = field(default_factory=dict)  # per statement key, over (clause, value) pairs
    given: dict[str, Score] = field(default_factory=dict)  # per key drafted from words alone, on the hand clauses

    def as_dict(self) -> dict:
        short = ("precision", "recall", "f1", "support", "tp", "fp", "fn")
        return {"company": self.slug, "era": self.era, "hand_clauses": self.clauses,
                "clauses_fully_recovered": self.recovered_clauses,
                **{k: v for k, v in self.topics.as_dict().items() if k in short[:4]},
                "keys": {key: {k: v for k, v in s.as_dict().items() if k in short}
                         for key, s in self.keys.items() if s.tp + s.fp + s.fn},
                "keys_given_clause": {key: {k: v for k, v in s.as_dict().items() if k in short}
                                      for key, s in self.given.items() if s.tp + s.fp + s.fn}}


def era(company: Company) -> str:
    """The policy's era, by its last update (else the date it was archived); undated: pre-GDPR."""
    said = company.metadata.get("last_updated") or company.metadata.get("archived_on")
    date = said if isinstance(said, dt.date) else dt.date.fromisoformat(str(said)) if said else None
    return GDPR_ERA if date is not None and date >= GDPR_APPLIES else PRE_GDPR


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def pair_score(hand: Spans, drafted: Spans) -> tuple[Score, int]:
    """(clause, value) pairs recovered, by overlapping spans; and the hand clauses recovered whole."""
    tp = fn = full = fp = 0
    for span, wanted in hand:
        offered = set().union(*(v for s, v in drafted if _overlap(span, s)))
        tp += len(wanted & offered)
        fn += len(wanted - offered)
        full += wanted <= offered
    for span, offered in drafted:
        wanted = set().union(*(v for s, v in hand if _overlap(span, s)))
        fp += len(offered - wanted)
    return Score(tp, fp, fn), full


def _name(company: Company, spec: KeySpec, value) -> str:
    if isinstance(value, URIRef):
        return local_name(value)
    if spec.info is not None and spec.info.range == PK.Party and value in company.parties:
        return local_name(company.parties[value].cls)  # a named party counts as its class
    return str(value)


def hand_values(company: Company, clause: Clause, spec: KeySpec) -> set[str]:
    return {_name(company, spec, v) for st in clause.statements for v in st.values.get(spec.key, [])}


def draft_values(clause: DraftClause, key: str) -> set[str]:
    return {v.name for st in clause.statements for t in st.tags if t.key == key for v in t.values}


def recovery(company: Company, draft: Draft, tagger: Tagger) -> Recovery:
    def topics(names: Iterable[str]) -> set[URIRef]:
        return {t for n in names if (t := tagger.vocab.topic_of(PK[n])) is not None}

    hand = [c for c in company.clauses if not c.proposed]
    practice = tagger.keys["practice"]
    topic_score, full = pair_score([((c.start, c.end), topics(hand_values(company, c, practice))) for c in hand],
                                   [((c.span.start, c.span.end), topics(draft_values(c, "practice"))) for c in draft.clauses])
    keys = {key: pair_score([((c.start, c.end), hand_values(company, c, spec)) for c in hand],
                            [((c.span.start, c.span.end), draft_values(c, key)) for c in draft.clauses])[0]
            for key, spec in tagger.keys.items() if key not in FREE_TEXT}
    return Recovery(company.slug, era(company), len(hand), full, topic_score, keys, given_clause(company, hand, tagger))


def given_clause(company: Company, hand: list[Clause], tagger: Tagger) -> dict[str, Score]:
    """Modality and the term-valued keys drafted from each hand clause's own words, against its tags."""
    drafted = []
    for c in hand:
        words = clean(c.quote)
        modality = tagger.cues.classify(words)
        tags = tagger.attributes(words, modality, tagger.lexicons.match(words))
        drafted.append({"modality": {modality.value}} | {t.key: {v.name for v in t.values} for t in tags})
    return {key: pair_score([((c.start, c.end), hand_values(company, c, tagger.keys[key])) for c in hand],
                            [((c.start, c.end), d.get(key, set())) for c, d in zip(hand, drafted)])[0]
            for key in ["modality", *tagger.lexicons.specs]}


def recover_all(companies: list[Company], tagger: Tagger) -> list[Recovery]:
    return [recovery(c, tagger.tag(c.text, c.slug), tagger) for c in companies if any(not cl.proposed for cl in c.clauses)]


def _pooled(scores: Iterable[Score]) -> Score:
    scores = list(scores)
    return Score(*(sum(getattr(s, k) for s in scores) for k in ("tp", "fp", "fn")))


def total(found: list[Recovery], name: str = "all", era_name: str = "") -> Recovery:
    """The recoveries pooled (micro): over every company given."""
    keys = dict.fromkeys(k for r in found for k in r.keys)  # table order
    return Recovery(name, era_name, sum(r.clauses for r in found), sum(r.recovered_clauses for r in found),
                    _pooled(r.topics for r in found), {k: _pooled(r.keys[k] for r in found if k in r.keys) for k in keys},
                    {k: _pooled(r.given[k] for r in found if k in r.given) for k in dict.fromkeys(k for r in found for k in r.given)})


def by_era(found: list[Recovery]) -> list[Recovery]:
    """Per company, then pooled per era (in time order) and over all."""
    eras = [e for e in (PRE_GDPR, GDPR_ERA) if any(r.era == e for r in found)]
    return found + [total([r for r in found if r.era == e], e, e) for e in eras] + [total(found)]
