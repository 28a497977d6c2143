"""How much of a hand-tagged company the draft recovers, by topic (the ontology's practice topics).

A hand clause's topic counts as recovered when a draft clause that overlaps it (in the policy text)
proposes a practice of that topic: recall. A draft clause's topic is right when an overlapping hand
clause has it: precision. Proposed (machine) clauses of the corpus are not a reference and are skipped."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from privacy_kg.corpus import Company
from privacy_kg.namespaces import PK
from privacy_kg.tagger.draft import Draft, Tagger
from privacy_kg.tagger.metrics import Score


@dataclass(frozen=True)
class Recovery:
    slug: str
    clauses: int  # hand-tagged clauses
    recovered_clauses: int  # with every topic recovered
    topics: Score  # over (clause, topic) pairs

    def as_dict(self) -> dict:
        return {"company": self.slug, "hand_clauses": self.clauses, "clauses_fully_recovered": self.recovered_clauses,
                **{k: v for k, v in self.topics.as_dict().items() if k in ("precision", "recall", "f1", "support")}}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def recovery(company: Company, draft: Draft, tagger: Tagger) -> Recovery:
    def topics(practices) -> set[URIRef]:
        return {t for p in practices if (t := tagger.vocab.topic_of(p)) is not None}

    hand = [((c.start, c.end), topics(p for st in c.statements for p in st.values["practice"]))
            for c in company.clauses if not c.proposed]
    drafted = [((c.span.start, c.span.end), topics(PK[v.name] for st in c.statements for t in st.tags
                                                      if t.key == "practice" for v in t.values))
               for c in draft.clauses]
    tp = fn = full = 0
    for span, wanted in hand:
        offered = set().union(*(t for s, t in drafted if _overlap(span, s)))
        tp += len(wanted & offered)
        fn += len(wanted - offered)
        full += wanted <= offered
    fp = 0
    for span, offered in drafted:
        wanted = set().union(*(t for s, t in hand if _overlap(span, s)))
        fp += len(offered - wanted)
    return Recovery(company.slug, len(hand), full, Score(tp, fp, fn))


def recover_all(companies: list[Company], tagger: Tagger) -> list[Recovery]:
    return [recovery(c, tagger.tag(c.text, c.slug), tagger) for c in companies if any(not cl.proposed for cl in c.clauses)]


def total(found: list[Recovery]) -> Recovery:
    return Recovery("all", sum(r.clauses for r in found), sum(r.recovered_clauses for r in found),
                    Score(*(sum(getattr(r.topics, k) for r in found) for k in ("tp", "fp", "fn"))))

