"""The switch of an export folder from old to new is atomic: a writer killed (SIGKILL) or interrupted
(SIGINT) after any step of its write phase leaves, once the next command has read the folder, either the
whole old generation or the whole new one. The writer runs in a subprocess that signals itself after step
k (PRIVACY_KG_DIE_AFTER_STEP).

A small writer is killed after every step. The commands that switch a folder (`build`, `import opp115`)
are killed after one step of each kind (atomic_export's step log tells the kinds): steps of one kind
leave the folder in the same state, so the generic test covers the rest, while the command tests prove
that every file the command writes goes through the switch (the last staged step comes after all of
them) and that each kind ends as it must: old after a staged file, new after anything later."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, new_project, snapshot
from opp115_support import FIXTURE
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


KINDS = ["staged", "journal", "replaced", "deleted", "journal removed"]


@dataclass
class Switch:
    """A command that switches an export folder, ready to run on copies of `base` (its inputs changed, the
    folder holding the old generation): what a reader sees of the folder before and after, and the kind
    of each step of the command's write phase."""

    base: Path
    command: Callable[[Path], list[str]]  # argv, for a copy of base
    read: Callable[[Path], dict[str, bytes]]  # the export folder of a copy of base, as the next command sees it
    old: dict[str, bytes]
    new: dict[str, bytes]
    kinds: list[str]


def traced(base: Path, command, read) -> Switch:
    """Run the command once on a copy of base with the step log on: the new generation and the step kinds."""
    copy, log = base.with_name(base.name + "-traced"), base.with_name(base.name + "-steps.log")
    shutil.copytree(base, copy)
    run = subprocess.run(command(copy), env={**os.environ, "PRIVACY_KG_STEP_LOG": str(log)}, capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    return Switch(base, command, read, read(base), read(copy), log.read_text(encoding="utf-8").splitlines())


def one_step_of_each_kind(kinds: list[str]) -> dict[int, str]:
    """Step number (1-based) -> kind: the last step of each kind."""
    return {step: kind for kind, step in {kind: step for step, kind in enumerate(kinds, 1)}.items()}


def assert_killed_at_each_kind_of_step_old_or_new(switch: Switch, signal_name: str, scratch: Path) -> None:
    assert switch.new != switch.old and set(switch.kinds) == set(KINDS), switch.kinds  # every kind is exercised
    for step, kind in one_step_of_each_kind(switch.kinds).items():
        root = scratch / f"killed-after-{step}"
        shutil.copytree(switch.base, root)
        run = subprocess.run(switch.command(root), env=_die_after(step, signal_name), capture_output=True)
        assert run.returncode != 0, f"step {step} ({kind}): the command was not stopped"
        seen = switch.read(root)
        assert seen == (switch.old if kind == "staged" else switch.new), f"{signal_name} after step {step} ({kind})"
        shutil.rmtree(root)


def _cli(root: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privacy_kg", *args, "--root", str(root)], env=env, capture_output=True)


def test_one_step_of_each_kind_is_the_last_of_its_kind():
    kinds = ["staged"] * 3 + ["journal"] + ["replaced"] * 2 + ["deleted"] + ["journal removed"]
    assert one_step_of_each_kind(kinds) == {3: "staged", 4: "journal", 6: "replaced", 7: "deleted", 8: "journal removed"}


def _build_read(root: Path) -> dict[str, bytes]:
    """kg/ after the next command (stats) has read it."""
    result = CliRunner().invoke(app, ["stats", "--root", str(root)])
    assert result.exit_code == 0, result.output
    return snapshot(root / "kg")


@pytest.fixture(scope="module")
def build_switch(tmp_path_factory) -> Switch:
    """Two companies built; then one renamed, the other removed (files replaced and deleted)."""
    project = new_project(tmp_path_factory.mktemp("build") / "base", "acme", "crystalcall")
    assert _cli(project.root, "build", "-j", "1").returncode == 0
    metadata = project.corpus_dir / "acme" / "metadata.yaml"
    metadata.write_text(metadata.read_text().replace("name: Acme", "name: Acme Renamed", 1))
    shutil.rmtree(project.corpus_dir / "crystalcall")
    return traced(project.root, lambda root: [sys.executable, "-m", "privacy_kg", "build", "-j", "1", "--root", str(root)], _build_read)


@pytest.mark.parametrize("signal_name", ["KILL", "INT"])
def test_a_build_killed_after_each_kind_of_step_leaves_kg_old_or_new(build_switch, tmp_path, signal_name):
    assert_killed_at_each_kind_of_step_old_or_new(build_switch, signal_name, tmp_path)


@pytest.fixture(scope="module")
def import_switch(tmp_path_factory) -> Switch:
    """The fixture policy and a copy of it imported (consolidated); then the copy removed from the corpus and
    the import rerun with --raw (files replaced and deleted). The tiny fixture, not OPP-115: the switch is
    the same code whatever the size."""
    base = tmp_path_factory.mktemp("import") / "base"
    corpus = base / "opp115"
    shutil.copytree(FIXTURE, corpus)
    copies = [(corpus / folder / f"1_example.com.{suffix}", corpus / folder / f"2_example.org.{suffix}")
              for folder, suffix in (("sanitized_policies", "html"), ("consolidation", "csv"))]
    for source, copy in copies:
        shutil.copy(source, copy)
    command = lambda root, *mode: [sys.executable, "-m", "privacy_kg", "import", "opp115", str(root / "opp115"),  # noqa: E731
                                   "--out", str(root / "out"), *mode, "-j", "1", "--root", str(REPO)]
    assert subprocess.run(command(base), capture_output=True).returncode == 0
    for _, copy in copies:
        copy.unlink()
    return traced(base, lambda root: command(root, "--raw"), lambda root: _read(root / "out"))


@pytest.mark.parametrize("signal_name", ["KILL", "INT"])
def test_an_opp115_import_killed_after_each_kind_of_step_leaves_its_folder_old_or_new(import_switch, tmp_path, signal_name):
    assert_killed_at_each_kind_of_step_old_or_new(import_switch, signal_name, tmp_path)
