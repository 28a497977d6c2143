"""Switching an export folder (kg/, or an import's --out folder) from one generation to the next atomically,
while the folder stays a plain directory of plain files (kg/ is committed; CI diffs it).

The writer stages every new or changed file in a folder beside the export (`.kg.staging-<pid>-<random>`),
then writes a journal (`.kg.journal`: the renames and deletions that make the export the new generation)
atomically, then applies it and removes it. Every command that reads or writes the export first rolls
forward a pending journal (`reading`, `settle`), so a writer interrupted or killed at any moment leaves
the old generation (no journal yet: the staging folder is garbage, removed later) or the new one (the
journal is completed by the next command). A lock file beside the export (`.kg.lock`, flock) keeps
readers out while a journal is applied. SIGINT and SIGTERM are held while the journal is applied, so
Ctrl-C lands after the switch. The guarantee is against interrupts and kills of the process; after a
power loss the files hold what the file system kept.

Test hooks: PRIVACY_KG_DIE_AFTER_STEP=k (and PRIVACY_KG_DIE_SIGNAL=KILL|INT) makes the writer signal itself
after its k-th step; PRIVACY_KG_STEP_LOG=FILE appends each step's kind to FILE, one a line. The kinds, in
order: "staged" (each staged file), "journal" (written), "replaced" (each rename), "deleted" (each deletion),
"journal removed". Steps of one kind leave the folder in the same state: after a staged file, the old
generation; after the journal, a rename or a deletion, a journal that the next command completes (the
new generation); after the journal's removal, the new one."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

JOURNAL_VERSION = 1
_steps = 0


def _side(folder: Path, suffix: str) -> Path:
    """A path beside the export folder: kg/ -> .kg.<suffix>."""
    return folder.parent / f".{folder.name}.{suffix}"


def journal_path(folder: Path) -> Path:
    return _side(Path(folder), "journal")


def _step(kind: str) -> None:
    """One step of the write phase done: the test hooks' place to log its kind or to die."""
    global _steps
    log = os.environ.get("PRIVACY_KG_STEP_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(kind + "\n")
    target = os.environ.get("PRIVACY_KG_DIE_AFTER_STEP")
    if target is None:
        return
    _steps += 1
    if _steps == int(target):
        sig = signal.SIGINT if os.environ.get("PRIVACY_KG_DIE_SIGNAL") == "INT" else signal.SIGKILL
        os.kill(os.getpid(), sig)


step = _step  # the same test hooks for the other writer that must survive a kill: disk_store's sync


@contextmanager
def _locked(folder: Path, mode: int) -> Iterator[None]:
    """flock on the lock file beside the folder; no lock where none can be made (a read-only export, which
    no writer can have left half-switched either)."""
    path = _side(folder, "lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT/SIGTERM wait until the block is done (a journal applied is never stopped half-way)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write_journal(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _apply(folder: Path, journal: dict) -> None:
    """Complete a journal: idempotent, so a journal applied in part is completed by applying it again."""
    staging = folder.parent / journal["staging"]
    for rel in journal["replace"]:
        source = staging / rel
        if source.exists():  # else renamed already
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, folder / rel)
            _step("replaced")
    for rel in journal["delete"]:
        (folder / rel).unlink(missing_ok=True)
        _prune_empty_parents(folder, folder / rel)
        _step("deleted")
    journal_path(folder).unlink()
    _step("journal removed")
    shutil.rmtree(staging, ignore_errors=True)


def _prune_empty_parents(folder: Path, path: Path) -> None:
    """Remove the folders a deletion left empty, up to (not including) `folder`."""
    for parent in path.parents:
        if parent == folder or not parent.is_dir() or any(parent.iterdir()):
            break
        parent.rmdir()


def switch(folder: Path, outputs: dict[str, bytes], earlier: set[str]) -> list[str]:
    """Switch `folder` to hold `outputs` (relative path -> bytes) in one atomic step, deleting the files of
    `earlier` (what the previous run wrote) that `outputs` no longer has; nothing else in the folder is
    touched. Returns the paths changed or deleted."""
    with Switch(folder) as staged:
        for rel in sorted(outputs):
            staged.add(rel, outputs[rel])
        return staged.commit(earlier)


class Switch:
    """`switch` fed one file at a time, for a writer whose outputs do not all fit in memory at once: each new
    or changed file is staged as it comes; `commit` switches the folder to the files added (deleting those
    of `earlier` not added), and leaving the `with` block without a commit leaves the folder as it was."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        settle(self.folder)
        self.generation = Generation(self.folder)
        self.added: set[str] = set()
        self.changed: list[str] = []

    def add(self, rel: str, data: bytes) -> None:
        self.added.add(rel)
        if not _holds(self.folder / rel, data):
            self.generation.add(rel, data)
            self.changed.append(rel)

    def commit(self, earlier: set[str]) -> list[str]:
        gone = sorted(set(earlier) - self.added)
        self.generation.commit(self.changed, gone)
        return sorted(self.changed) + gone

    def __enter__(self) -> "Switch":
        return self

    def __exit__(self, *exc) -> None:
        self.generation.discard()


def _holds(path: Path, data: bytes) -> bool:
    return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data


def _roll_forward(folder: Path) -> bool:
    """Under the exclusive lock: complete a pending journal, remove staging folders of dead writers."""
    pending = journal_path(folder)
    done = False
    if pending.exists():
        with _signals_held():
            _apply(folder, json.loads(pending.read_text(encoding="utf-8")))
        done = True
    prefix = f".{folder.name}.staging-"
    if folder.parent.is_dir():
        for leftover in folder.parent.glob(prefix + "*"):
            pid = leftover.name[len(prefix):].split("-", 1)[0]
            if not pid.isdigit() or not _alive(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)
    return done


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def settle(folder: Path) -> bool:
    """Roll forward a switch that a killed writer left pending; True if there was one."""
    folder = Path(folder)
    if not journal_path(folder).exists():
        return False
    with _locked(folder, fcntl.LOCK_EX):
        return _roll_forward(folder)


@contextmanager
def reading(*folders: Path) -> Iterator[None]:
    """Read export folders as one generation each: pending switches completed first, and no switch
    applied while the block runs."""
    with _reading(list(map(Path, folders))):
        yield


@contextmanager
def _reading(folders: list[Path]) -> Iterator[None]:
    if not folders:
        yield
        return
    folder, rest = folders[0], folders[1:]
    while True:
        with _locked(folder, fcntl.LOCK_SH):
            if not journal_path(folder).exists():  # a writer holding the lock would have to finish first
                with _reading(rest):
                    yield
                return
        settle(folder)  # a killed writer's journal: complete it, then read


class Generation:
    """The next generation of an export folder, staged beside it; `commit` switches the folder to it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder).absolute()
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        self.staging = _side(self.folder, f"staging-{os.getpid()}-{secrets.token_hex(4)}")
        self.staging.mkdir()

    def path(self, rel: str) -> Path:
        """Where a staged file goes (its folder made), for a writer that streams into it."""
        path = self.staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def add(self, rel: str, data: bytes) -> None:
        self.path(rel).write_bytes(data)
        self.staged(rel)

    def staged(self, rel: str) -> None:
        """A file written through `path` is complete."""
        os.chmod(self.staging / rel, 0o644)
        _step("staged")

    def commit(self, replace: Iterable[str], delete: Iterable[str]) -> None:
        """Switch: the staged files `replace` theirs in the folder, the files `delete` go. Atomic: an
        interrupt or kill at any point leaves the old generation or (once any command reads it) the new."""
        journal = {"version": JOURNAL_VERSION, "staging": self.staging.name,
                   "replace": sorted(replace), "delete": sorted(delete)}
        with _locked(self.folder, fcntl.LOCK_EX):
            _roll_forward(self.folder)  # an earlier killed writer's switch first (not ours: we are alive)
            self.folder.mkdir(parents=True, exist_ok=True)
            with _signals_held():
                _write_journal(journal_path(self.folder), journal)
                _step("journal")
                _apply(self.folder, journal)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
