"""Lexicons derived from the ontology: every term's rdfs:label and skos:altLabel (synonyms) become
phrases, matched in a clause with light inflection ("share" finds "shares", "shared", "sharing";
"third party" finds "third parties"). There is no other word list: to teach the tagger a phrase,
add a synonym to the ontology.

Matching keeps the longest phrase where phrases overlap, and drops a term when a more specific term
of the same family (a subclass) was found too: "your e-mail address" gives EmailAddress, not also
PersonalData and ContactData.

Which lexicons there are follows from the statement-key table (mappings/statement-keys.yaml): every key
whose property ranges over ontology terms (subclasses of a class, or its named individuals) has the
lexicon of that range; keys with the same range share it. A key added to the table, or a term or
synonym added to the ontology, reaches the tagger with nothing else to edit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rdflib import URIRef

from privacy_kg.namespaces import PK, local_name
from privacy_kg.ontology import Vocabulary
from privacy_kg.statement_keys import KeySpec

# The first party is the implicit actor of every statement and is never tagged (its labels "we", "us"
# are everywhere in a policy).
NEVER_PROPOSED = {PK.FirstParty}
# Keys decided otherwise: the practice by the classifier, the modality by the cue rules (modality.py).
NOT_BY_LEXICON = {"practice", "modality"}

_EMAIL = re.compile(r"\be[\s-]?mail", re.IGNORECASE)
_WITHOUT = re.compile(r"\bwithout\b", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    term: URIRef
    phrase: str
    start: int
    end: int
    confidence: float

    @property
    def name(self) -> str:
        return local_name(self.term)


def normalise(text: str) -> str:
    """Variants the ontology's labels do not list one by one: "e-mail" is "email"; "without your
    consent" names the same condition as "with your consent" (the modality tells which way)."""
    return _WITHOUT.sub("with", _EMAIL.sub("email", text))


def _inflected(token: str) -> str:
    """A regex for a word and its plural/verb forms: share|shares|shared|sharing, party|parties."""
    word = re.escape(token)
    if not token.isalpha() or len(token) < 3 or token.isupper():
        return word
    if token.endswith("e"):
        return re.escape(token[:-1]) + "(?:e|es|ed|ing)"
    if token.endswith("y") and token[-2] not in "aeiou":
        return re.escape(token[:-1]) + "(?:y|ies|ied|ying)"
    return word + "(?:s|es|ed|ing)?"


def _joint(a: str, b: str) -> str:
    """Between two words: whitespace or a hyphen; next to punctuation ("U.S.", "Inc."): optional space."""
    return r"[\s\-]+" if a[-1].isalnum() and b[0].isalnum() else r"\s*"


def phrase_pattern(phrase: str, inflect: bool = True) -> re.Pattern:
    """Whole words, any whitespace or hyphen between them ("EU-U.S. DPF" finds "EU U.S. DPF" too), the
    last word inflected (unless told not to). Acronyms (PIN, SSL) match in capitals only; everything
    else ignores case."""
    tokens = re.findall(r"[\w']+|[^\w\s]", re.sub(r"(?<=\w)-(?=\w)", " ", normalise(phrase)))
    parts = [re.escape(t) for t in tokens[:-1]] + [_inflected(tokens[-1]) if inflect else re.escape(tokens[-1])]
    body = parts[0] + "".join(_joint(a, b) + part for a, b, part in zip(tokens, tokens[1:], parts[1:]))
    flags = 0 if any(t.isupper() and len(t) > 1 for t in tokens) else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", flags)


def _needle(phrase: str) -> str:
    """Lower-cased text that every match of phrase_pattern(phrase) holds: its first word, less the ending
    that _inflected varies when it is also the last word."""
    tokens = re.findall(r"[\w']+|[^\w\s]", normalise(phrase))
    first = tokens[0]
    if len(tokens) == 1 and _inflected(first) != re.escape(first) and first[-1] in "ey":
        first = first[:-1]
    return first.lower()


def _confidence(phrase: str, is_label: bool) -> float:
    """Longer phrases are more specific, and a term's own label more telling than a synonym."""
    words = len(phrase.split())
    return round(min(0.9, 0.45 + 0.15 * words + (0.05 if is_label else 0.0)), 2)


class Lexicon:
    """The phrases of one family of terms (data types, purposes...)."""

    def __init__(self, vocab: Vocabulary, terms: set[URIRef], most_specific: bool = True):
        self.terms = sorted(terms)
        self.most_specific = most_specific
        self.broader = {term: vocab.ancestors(term) - {term} for term in self.terms}
        entries = []
        for term in self.terms:
            label = vocab.label(term)
            for phrase, is_label in [(label, True)] + [(a, False) for a in vocab.alt_labels(term)]:
                if phrase.strip():
                    entries.append((term, phrase, phrase_pattern(phrase), _confidence(phrase, is_label)))
        self.entries = entries
        self.by_needle: dict[str, list[tuple]] = {}  # entries grouped by what their matches must hold
        for entry in entries:
            self.by_needle.setdefault(_needle(entry[1]), []).append(entry)

    def match(self, text: str) -> list[Match]:
        """The terms the text names, most specific first, one per term (its best match)."""
        text = normalise(text)
        # An ASCII text holds a phrase's match only if it holds the phrase's first word (lower-cased): most
        # patterns are skipped with a substring test (Unicode case folding is not that simple: no skipping).
        if text.isascii():
            folded = text.lower()
            entries = [e for needle, group in self.by_needle.items() if needle in folded for e in group]
        else:
            entries = self.entries
        found = [Match(term, phrase, m.start(), m.end(), conf)
                 for term, phrase, pattern, conf in entries
                 for m in pattern.finditer(text)]
        kept: list[Match] = []
        for m in sorted(found, key=lambda m: (-(m.end - m.start), m.start, -m.confidence)):
            if not any(m.start < k.end and k.start < m.end for k in kept):
                kept.append(m)
        best: dict[URIRef, Match] = {}
        for m in kept:
            if m.term not in best or m.confidence > best[m.term].confidence:
                best[m.term] = m
        if self.most_specific:
            best = {t: m for t, m in best.items() if not any(t in self.broader[other] for other in best)}
        return sorted(best.values(), key=lambda m: m.start)


class Lexicons:
    """One lexicon per range of the term-valued statement keys, built once from the ontology."""

    def __init__(self, vocab: Vocabulary, keys: dict[str, KeySpec]):
        self.vocab = vocab
        self.specs = {key: spec for key, spec in keys.items()
                      if key not in NOT_BY_LEXICON and spec.info is not None and spec.info.kind in ("class", "enum")}

    def terms(self, key: str) -> set[URIRef]:
        """The values a key may take, as the checker allows them, less the range itself and the first party."""
        info = self.specs[key].info
        return self.vocab.allowed_values(info) - {info.range} - NEVER_PROPOSED

    @cached_property
    def by_range(self) -> dict[URIRef, Lexicon]:
        found: dict[URIRef, Lexicon] = {}
        for key, spec in self.specs.items():
            if spec.info.range not in found:
                found[spec.info.range] = Lexicon(self.vocab, self.terms(key))
        return found

    @cached_property
    def keys_by_range(self) -> dict[URIRef, list[str]]:
        """Each range and the keys that take it, in table order (e.g. Party: actor, recipients)."""
        found: dict[URIRef, list[str]] = {}
        for key, spec in self.specs.items():
            found.setdefault(spec.info.range, []).append(key)
        return found

    def of(self, key: str) -> Lexicon:
        return self.by_range[self.specs[key].info.range]

    @cached_property
    def practices(self) -> Lexicon:
        """Practice classes by their verbs ("sell", "opt out"); a clause may name several."""
        return Lexicon(self.vocab, self.vocab.taggable_practices, most_specific=False)

    def match(self, text: str) -> dict[URIRef, list[Match]]:
        """Per range, the terms the text names; a match inside a longer one of another range is dropped
        ("our legitimate interests" is a legal basis, not also the data type Interests)."""
        found = {rng: lexicon.match(text) for rng, lexicon in self.by_range.items()}
        spans = [(m.start, m.end, rng) for rng, matches in found.items() for m in matches]

        def inside(m: Match, rng: URIRef) -> bool:
            return any(r != rng and s <= m.start and m.end <= e and e - s > m.end - m.start for s, e, r in spans)
        return {rng: [m for m in matches if not inside(m, rng)] for rng, matches in found.items()}
