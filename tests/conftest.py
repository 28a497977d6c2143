from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from privacy_kg.project import Project

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"
SEEDS = ["cleanminutes", "clickatell", "cloncom", "crystalcall", "voipcom"]  # 2004-2012
CURRENT = ["bitwarden", "duckduckgo", "huggingface", "overleaf", "telegram"]  # Open Terms Archive, with versions
COMPANIES = sorted(SEEDS + CURRENT)  # corpus/

# A shell starts a background job (`.ci/run &`, nohup) with SIGINT ignored, and Python then never turns it into
# KeyboardInterrupt, here or in the commands the tests start: the Ctrl-C tests (test_cli_hardening,
# test_atomic_export's SIGINT cases) would fail. Restored here, the commands' Python gets SIGINT as a terminal does.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def repo() -> Project:
    return Project(REPO)


def new_project(root: Path, *companies: str) -> Project:
    """A throw-away project at `root` with the repo's ontology and mappings and the given companies: names
    of fixture companies (tests/fixtures/corpus) or of seeds (corpus/)."""
    for folder in ("ontology", "mappings"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "corpus").mkdir(parents=True)
    for name in companies:
        source = FIXTURES / "corpus" / name
        if not source.exists():
            source = REPO / "corpus" / name
        shutil.copytree(source, root / "corpus" / name)
    return Project(root)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """new_project in the test's temporary folder (tmp_path / "project")."""
    return lambda *companies: new_project(tmp_path / "project", *companies)


def export_dataset(folder: Path):
    """An export folder's quads/ (kg/, or an import's) as one rdflib Dataset."""
    from rdflib import Dataset

    from privacy_kg.build import quad_files

    dataset = Dataset()
    for path in quad_files(folder):
        dataset.parse(path, format="nquads")
    return dataset


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, to prove a failed command changed nothing."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
