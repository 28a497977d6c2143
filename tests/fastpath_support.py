"""Shared by the fast-path tests: the graphs they compare the fast paths and the references on (the seeds,
a synthetic sample, OPP-115 policies when the corpus is present)."""

from __future__ import annotations

import sys
from functools import lru_cache

from conftest import COMPANIES, REPO
from privacy_kg.build import map_company
from privacy_kg.project import Project

sys.path.insert(0, str(REPO))  # the benchmarks package

SYNTHETIC = 3  # synthetic companies in the sample


@lru_cache(maxsize=1)
def company_graphs() -> dict[str, tuple]:
    """slug -> (asserted triples in closure.term form, Company) for the seeds and a synthetic sample."""
    import tempfile
    from pathlib import Path

    from benchmarks.synthetic import Generator

    repo = Project(REPO)
    found = {c.slug: (map_company(c, repo.vocabulary, repo.keys), c) for c in repo.companies()}
    folder = Path(tempfile.mkdtemp(prefix="privacy-kg-synthetic-"))
    Generator(seed=11, use_opp115=False).write(folder, SYNTHETIC)
    from privacy_kg.corpus import load_corpus

    for c in load_corpus(folder, repo.vocabulary, repo.keys):
        found[c.slug] = (map_company(c, repo.vocabulary, repo.keys), c)
    assert len(found) == len(COMPANIES) + SYNTHETIC
    return found
