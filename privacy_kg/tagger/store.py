"""Where trained models live (a git-ignored folder: they derive from licensed data) and how they are
written: whole files, atomically, so an interrupted training leaves the previous model in place."""

from __future__ import annotations

import io
import os
from pathlib import Path

import joblib
import numpy as np

from privacy_kg.export import write_atomically

MODELS_ENV = "PRIVACY_KG_MODELS"
MODEL_FILE = "tagger.joblib"


def models_dir(root: Path) -> Path:
    """$PRIVACY_KG_MODELS, or local/models/ in the project (listed in .gitignore)."""
    return Path(os.environ.get(MODELS_ENV) or root / "local" / "models")


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomically(path, buffer.getvalue())


def save_object(path: Path, obj) -> None:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer, compress=3)
    write_atomically(path, buffer.getvalue())


def load_object(path: Path):
    return joblib.load(path)
