"""Where trained models live (a git-ignored folder: they derive from licensed data) and how they are
written: whole files, atomically, so an interrupted training leaves the previous model in place.

A model is stored with skops, not pickle: loading a pickle runs whatever code the file names, so a file
dropped into --models could run a command. skops reads only the types it trusts (numpy, scipy, the
scikit-learn estimators, builtins) and refuses a file that names any other before building anything."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import skops.io
from zipfile import ZIP_DEFLATED

from privacy_kg.export import write_atomically

MODELS_ENV = "PRIVACY_KG_MODELS"
MODEL_FILE = "tagger.skops"


def models_dir(root: Path) -> Path:
    """$PRIVACY_KG_MODELS, or local/models/ in the project (listed in .gitignore)."""
    return Path(os.environ.get(MODELS_ENV) or root / "local" / "models")


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomically(path, buffer.getvalue())


def save_object(path: Path, obj) -> None:
    """`obj`: builtins, numpy and scikit-learn objects only (what skops trusts)."""
    write_atomically(path, skops.io.dumps(obj, compression=ZIP_DEFLATED))


class UntrustedModel(Exception):
    """The file names types that skops does not trust: it is refused without being built."""


def load_object(path: Path):
    data = path.read_bytes()
    untrusted = skops.io.get_untrusted_types(data=data)
    if untrusted:
        raise UntrustedModel(", ".join(untrusted[:5]))
    return skops.io.loads(data, trusted=None)
