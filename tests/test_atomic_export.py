"""The switch of an export folder from old to new is atomic: a writer killed (SIGKILL) or interrupted
(SIGINT) after any step of its write phase leaves, once the next command has read the folder, either the
whole old generation or the whole new one. The writer runs in a subprocess that signals itself after step
k (PRIVACY_KG_DIE_AFTER_STEP), for every k until it completes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from privacy_kg import atomic_export
from privacy_kg.cli import app

WRITER = """
import sys
from privacy_kg.atomic_export import Generation
g = Generation(sys.argv[1])
g.add("companies/a.ttl", b"new a")
g.add("companies/d.ttl", b"new d")
g.add("quads/a.nq", b"new a quads")
g.commit(["companies/a.ttl", "companies/d.ttl", "quads/a.nq"], ["companies/b.ttl"])
"""
OLD = {"companies/a.ttl": b"old a", "companies/b.ttl": b"old b", "quads/a.nq": b"old a quads"}
NEW = {"companies/a.ttl": b"new a", "companies/d.ttl": b"new d", "quads/a.nq": b"new a quads"}


def _die_after(step: int, signal_name: str) -> dict[str, str]:
    return {**os.environ, "PRIVACY_KG_DIE_AFTER_STEP": str(step), "PRIVACY_KG_DIE_SIGNAL": signal_name}


def _read(folder: Path) -> dict[str, bytes]:
    """What a reader sees: through atomic_export.reading, as every command reads."""
    with atomic_export.reading(folder):
        return snapshot(folder)


@pytest.mark.parametrize("signal_name", ["KILL", "INT"])
def test_a_writer_killed_after_any_step_leaves_the_old_or_the_new_generation(tmp_path, signal_name):
    outcomes = []
    for step in range(1, 50):
        folder = tmp_path / str(step) / "kg"
        for rel, data in OLD.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        run = subprocess.run([sys.executable, "-c", WRITER, str(folder)], env=_die_after(step, signal_name),
                             capture_output=True)
        seen = _read(folder)
        assert seen in (OLD, NEW), f"step {step}: {seen}"
        outcomes.append(seen == NEW)
        assert not atomic_export.journal_path(folder).exists()  # (a dead writer's staging folder: the next writer's to remove)
        if run.returncode == 0:  # the writer ran past its last step: every step was tried
            break
    else:
        pytest.fail("the writer never completed")
    assert not outcomes[0] and outcomes[-1]  # killed at the first step: old; not killed: new
    assert step > 5


def test_a_pending_journal_is_completed_before_a_reader_sees_the_folder(tmp_path):
    folder = tmp_path / "kg"
    for rel, data in OLD.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    run = subprocess.run([sys.executable, "-c", WRITER, str(folder)], env=_die_after(5, "KILL"))  # 3 staged, journal, 1 rename
    assert run.returncode == -9 and atomic_export.journal_path(folder).exists()
    assert snapshot(folder) not in (OLD, NEW)  # mixed on disk: one file renamed ...
    assert _read(folder) == NEW  # ... but no reader sees it so


def _cli(root: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privacy_kg", *args, "--root", str(root)], env=env, capture_output=True)


@pytest.mark.parametrize("signal_name", ["KILL", "INT"])
def test_a_build_killed_after_any_step_of_its_write_phase_leaves_kg_old_or_new(make_project, tmp_path, signal_name):
    project = make_project("acme", "crystalcall")
    assert _cli(project.root, "build", "-j", "1").returncode == 0
    old = snapshot(project.kg_dir)
    metadata = project.corpus_dir / "acme" / "metadata.yaml"  # the change: acme renamed, crystalcall removed
    metadata.write_text(metadata.read_text().replace("name: Acme", "name: Acme Renamed", 1))
    shutil.rmtree(project.corpus_dir / "crystalcall")
    shutil.copytree(project.root, tmp_path / "base")
    assert _cli(project.root, "build", "-j", "1").returncode == 0
    new = snapshot(project.kg_dir)
    assert new != old
    runner = CliRunner()
    for step in range(1, 60):
        root = tmp_path / f"run-{step}"
        shutil.copytree(tmp_path / "base", root)
        run = _cli(root, "build", "-j", "1", env=_die_after(step, signal_name))
        result = runner.invoke(app, ["stats", "--root", str(root)])  # the next command
        assert result.exit_code == 0, result.output
        assert snapshot(root / "kg") in (old, new), f"step {step}"
        shutil.rmtree(root)
        if run.returncode == 0:
            break
    else:
        pytest.fail("the build never completed")
    assert step > 5
