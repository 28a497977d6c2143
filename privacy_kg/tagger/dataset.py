"""An OPP-115-format folder as examples for the tagger: per policy, its segments with the majority-vote
labels (at least `quorum` distinct annotators, read from annotations/), the data types they name, and
the sentences whose modality an annotator marked."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from privacy_kg.opp115.reader import Policy, read_folder
from privacy_kg.problems import InputError, Problem
from privacy_kg.tagger.labels import LABELS, label_of
from privacy_kg.segment import sentences

DOES_DOES_NOT = "Does/Does Not"
DATA_TYPE = "Personal Information Type"
NOT_A_TYPE = {"unspecified", "other", "not-selected"}
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]
    data_types: frozenset[str]  # OPP-115 "Personal Information Type" values (lower case) given by the quorum


@dataclass(frozen=True)
class ModalityCase:
    sentence: str
    value: str  # "Does" or "Does Not", as the annotator marked it


@dataclass(frozen=True)
class Document:
    name: str
    examples: tuple[Example, ...]
    modality: tuple[ModalityCase, ...]


def _plain(s: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", s))).strip()


def _sentence_around(text: str, phrase: str) -> str | None:
    at = text.find(phrase)
    if not phrase or at < 0:
        return None
    for span in sentences(text):
        if span.start <= at < span.end:
            return span.text
    return None


def document(policy: Policy, quorum: int = 2) -> Document:
    label_votes: dict[tuple[int, str], set[str]] = {}
    type_votes: dict[tuple[int, str], set[str]] = {}
    cases = []
    texts = {s.index: s.text for s in policy.segments}
    for a in policy.annotations:
        label = label_of(a.category, a.value("Other Type"))
        if label is not None:
            label_votes.setdefault((a.segment, label), set()).add(a.annotator)
        value = a.value(DATA_TYPE)
        if value and value.lower() not in NOT_A_TYPE:
            type_votes.setdefault((a.segment, value.lower()), set()).add(a.annotator)
        span = a.spans.get(DOES_DOES_NOT)
        if span is not None and span.start is not None and a.segment in texts:
            sentence = _sentence_around(texts[a.segment], _plain(span.text or ""))
            if sentence:
                cases.append(ModalityCase(sentence, span.value))
    examples = []
    for s in policy.segments:
        labels = frozenset(lb for lb in LABELS if len(label_votes.get((s.index, lb), ())) >= quorum)
        types = frozenset(t for (i, t), who in type_votes.items() if i == s.index and len(who) >= quorum)
        examples.append(Example(s.text, labels, types))
    return Document(policy.name, tuple(examples), tuple(cases))


def load(folder: Path, quorum: int = 2) -> list[Document]:
    """Every policy of the folder that has annotations. Raises InputError when the folder is not in the
    OPP-115 format or has no annotated policy."""
    folder = Path(folder)
    problems = []
    for sub in ("sanitized_policies", "annotations"):
        if not (folder / sub).is_dir():
            problems.append(Problem(str(folder / sub), None, None, "missing: an OPP-115-format folder has sanitized_policies/ and annotations/"))
    if problems:
        raise InputError(problems)
    docs = [document(p, quorum) for p in read_folder(folder, consolidated=False) if p.annotations]
    if not docs:
        raise InputError([Problem(str(folder / "annotations"), None, None, "no annotated policy (annotations/<name>.csv beside sanitized_policies/<name>.html)")])
    return docs
