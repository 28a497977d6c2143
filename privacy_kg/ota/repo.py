"""Read an Open Terms Archive versions repository with the git CLI.

Why the git CLI (through subprocess) rather than pygit2 or dulwich: one `git log --raw` lists every
commit with the blob ids of the files it touched (renames detected with -M), and one
`git cat-file --batch` process streams every blob, so the 16,692 versions of the whole bundle are
read in a couple of passes with no compiled dependency; a bundle file is cloned (bare) into a
temporary folder first, which only git itself can do without reimplementing the bundle format.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from privacy_kg.problems import InputError, Problem

DOCUMENT = "Privacy Policy.md"
RECORD, FIELD = "\x1e", "\x1f"
RAW_LINE = re.compile(r"^:\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*\t(.*)$")


@dataclass(frozen=True)
class Change:
    """One commit's effect on one service's document: added/modified (blob), deleted, or renamed from."""
    commit: str
    authored: str
    recorded: str
    message: str
    status: str          # A, M, D or R
    path: str
    blob: str | None     # None when deleted
    old_path: str | None = None


def _bad(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), None, None, message)])


def _git(git_dir: Path, *args: str) -> str:
    run = subprocess.run(["git", "--git-dir", str(git_dir), "-c", "core.quotePath=false", *args],
                         capture_output=True, text=True, encoding="utf-8", errors="surrogateescape")
    if run.returncode:
        raise _bad(git_dir, f"git {args[0]} failed: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode}")
    return run.stdout


@contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The git dir of REPO: a repository (working tree or bare) as is, a bundle file cloned bare into a
    temporary folder that is removed afterwards. Raises InputError (exit 2) when REPO is neither."""
    path = Path(path)
    if not path.exists():
        raise _bad(path, "no such file or folder: give an Open Terms Archive versions repository or bundle")
    if path.is_file():
        with tempfile.TemporaryDirectory(prefix="privacy-kg-ota-") as tmp:
            clone = subprocess.run(["git", "clone", "-q", "--bare", str(path), f"{tmp}/repo.git"], capture_output=True, text=True)
            if clone.returncode:
                raise _bad(path, "not a git bundle (git clone failed): give a versions repository or its .bundle file")
            yield Path(tmp) / "repo.git"
        return
    probe = subprocess.run(["git", "-C", str(path), "rev-parse", "--absolute-git-dir"], capture_output=True, text=True)
    git_dir = Path(probe.stdout.strip()) if not probe.returncode else None
    # a folder inside some other repository is not a repository: REPO must be the top (or the bare git dir)
    if git_dir is None or git_dir.resolve() not in (path.resolve(), (path / ".git").resolve()):
        raise _bad(path, "not a git repository: give an Open Terms Archive versions repository (git clone it) or its .bundle file")
    yield git_dir


def changes(git_dir: Path, services: list[str] | None = None) -> list[Change]:
    """Every commit touching a `<Service>/Privacy Policy.md`, oldest first, one Change per file touched."""
    if subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "-q", "--verify", "HEAD"], capture_output=True).returncode:
        raise _bad(git_dir, "the repository has no commits: is it an Open Terms Archive versions repository?")
    specs = [f"{s}/{DOCUMENT}" for s in services] if services else [f"*/{DOCUMENT}"]
    log = _git(git_dir, "log", "--reverse", "--raw", "--no-abbrev", "-M",
               f"--format={RECORD}%H{FIELD}%aI{FIELD}%cI{FIELD}%B{FIELD}", "--", *specs)
    found = []
    for record in log.split(RECORD)[1:]:
        commit, authored, recorded, message, raw = record.split(FIELD)
        for line in raw.strip().splitlines():
            m = RAW_LINE.match(line)
            if not m:
                continue
            _, new_blob, status, paths = m.groups()
            old, _, new = paths.partition("\t")
            path = new or old
            if not _is_document(path):
                continue
            found.append(Change(commit, authored, recorded, message.strip(), status,
                                path, None if status == "D" else new_blob, old if status == "R" else None))
    if not found:
        raise _bad(git_dir, f"no commit touches a '<Service>/{DOCUMENT}'"
                   + (f" for {', '.join(services)}" if services else "") + ": is this an Open Terms Archive versions repository?")
    return found


def _is_document(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 2 and parts[1] == DOCUMENT


def blobs(git_dir: Path, ids: list[str]) -> Iterator[tuple[str, bytes]]:
    """Stream blob contents with one `git cat-file --batch` process (written and read in turn)."""
    proc = subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        for blob in ids:
            proc.stdin.write(blob.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3:
                raise _bad(git_dir, f"blob {blob} missing from the repository")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after each object
            yield blob, data
    finally:
        proc.stdin.close()
        proc.wait()
