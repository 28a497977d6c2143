"""Where a project's folders are, and the objects every command loads from them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from privacy_kg.corpus import Company, load_corpus
from privacy_kg.ontology import Vocabulary
from privacy_kg.statement_keys import KeySpec, load_keys


@dataclass
class Project:
    root: Path

    @classmethod
    def find(cls, root: Path | None = None) -> "Project":
        return cls(Path(root or os.environ.get("PRIVACY_KG_ROOT") or Path.cwd()).resolve())

    @property
    def corpus_dir(self) -> Path:
        return self.root / "corpus"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def mappings_dir(self) -> Path:
        return self.root / "mappings"

    @property
    def kg_dir(self) -> Path:
        return self.root / "kg"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary.load(self.ontology_dir)

    @cached_property
    def keys(self) -> dict[str, KeySpec]:
        return load_keys(self.mappings_dir, self.vocabulary)

    def companies(self, only: list[str] | None = None, versions: bool = False) -> list[Company]:
        """The current version of each company (of `only`); with `versions`, each followed by its earlier ones."""
        return load_corpus(self.corpus_dir, self.vocabulary, self.keys, only, versions)
