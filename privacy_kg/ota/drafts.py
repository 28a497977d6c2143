"""Machine drafts for the versions of an Open Terms Archive import: each distinct sentence classified once.

Every kept version is cut into sentences by the project's segmenter (segment.blocks, remembering the lines
and paragraphs that the versions of one policy share). A sentence's key is its normalised text
(segment.sentence_key); the tagging assistant drafts a key from its own words only (Tagger(alone=True)), so
one classification serves every version and every service that holds the key. The distinct keys of the
whole import go to the executor in batches (`--executor`: a local process pool or a dask cluster); each
worker loads the model and the ontology by path once, and ships the drafted statements back. Nothing here
writes a file.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from privacy_kg.segment import blocks, sentence_key
from privacy_kg.tagger.draft import DraftStatement

BATCH = 2000  # keys per task: big enough to amortise a task, small enough to spread over the workers


@dataclass
class VersionSentences:
    """The sentences of one version: its distinct keys in order of first occurrence, where each first occurs
    (code-point offsets in the version's text), and how many sentences it has in all."""

    keys: list[str]
    spans: list[tuple[int, int]]
    occurrences: int


def version_sentences(texts: list[str]) -> list[VersionSentences]:
    """The sentences of each version of one policy (its texts, oldest first)."""
    memo: dict = {}
    keys: dict[str, str] = {}  # sentence as written -> its key
    found = []
    for text in texts:
        first: dict[str, tuple[int, int]] = {}
        n = 0
        for block in blocks(text, memo):
            for span in block.sentences:
                n += 1
                key = keys.get(span.text)
                if key is None:
                    key = keys[span.text] = sentence_key(span.text)
                first.setdefault(key, (span.start, span.end))
        found.append(VersionSentences(list(first), list(first.values()), n))
    return found


@dataclass(frozen=True)
class ModelInfo:
    """The trained model that drafts: its file (read by path in each worker) and what names it."""

    path: str
    sha256: str
    kind: str  # e.g. "TF-IDF + logistic regression"
    trained: str
    policies: int

    @property
    def name(self) -> str:
        return f"privacy-kg tagger ({self.kind}, trained on {self.policies} OPP-115 policies {self.trained}) {self.sha256[:12]}"

    def as_dict(self) -> dict:
        return {"name": self.name, "file": self.path, "sha256": self.sha256, "kind": self.kind, "trained": self.trained,
                "policies": self.policies}


def model_info(path: Path) -> ModelInfo:
    """The model in `path` (loaded once, through the tagger's checks: an untrusted or stale file is an InputError)."""
    from privacy_kg.tagger import load_model

    model = load_model(path.parent)
    kind = "sentence embeddings + TF-IDF + logistic regression" if model.info.get("embeddings") else "TF-IDF + logistic regression"
    return ModelInfo(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), kind, str(model.info.get("trained", "")),
                     int(model.info.get("policies", 0)))


@dataclass(frozen=True)
class Settings:
    """What a worker needs to draft, all by path (a cluster's workers see the project at the same paths)."""

    model: str  # the model file
    ontology_dir: str
    mappings_dir: str
    stamp: str  # the inputs hash of ontology and mapping: a worker process never reuses an older vocabulary


@lru_cache(maxsize=1)
def _tagger(settings: Settings):
    from privacy_kg.build import _vocabulary
    from privacy_kg.tagger import load_model
    from privacy_kg.tagger.draft import Tagger

    vocab, keys = _vocabulary(Path(settings.ontology_dir), Path(settings.mappings_dir), settings.stamp)
    return Tagger(load_model(Path(settings.model).parent), vocab, keys, alone=True)


def draft_batch(keys: list[str], settings: Settings) -> tuple[list[list[DraftStatement]], float]:
    """Runs in a worker: the drafts of a batch of keys, and the CPU seconds they took."""
    tagger = _tagger(settings)
    clock = time.process_time()
    drafts = tagger.draft_sentences(keys)
    return drafts, time.process_time() - clock


@dataclass
class Classified:
    drafts: dict[str, list[DraftStatement]]  # key -> its statements (only the keys that state something)
    keys: int  # distinct keys classified
    cpu_seconds: float = 0.0
    seconds: float = 0.0
    batches: int = 0
    statements: int = field(init=False)

    def __post_init__(self):
        self.statements = sum(len(s) for s in self.drafts.values())


def _batches(keys: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(keys), size):
        yield keys[i:i + size]


def classify(keys: list[str], settings: Settings, executor: Executor | None = None, batch: int = BATCH,
             progress: Callable[[int], None] = lambda n: None) -> Classified:
    """Draft each key once (in batches, on the executor when there is one; results in submission order)."""
    started = time.monotonic()
    batches = list(_batches(keys, batch))
    work = map(draft_batch, batches, [settings] * len(batches)) if executor is None \
        else executor.map(draft_batch, batches, [settings] * len(batches))
    drafts: dict[str, list[DraftStatement]] = {}
    cpu = 0.0
    for chunk, (drafted, seconds) in zip(batches, work):
        cpu += seconds
        drafts.update((k, d) for k, d in zip(chunk, drafted) if d)
        progress(len(chunk))
    return Classified(drafts, len(keys), round(cpu, 1), round(time.monotonic() - started, 1), len(batches))
