"""A benchmark run that can span sessions (`benchmarks.run --resume`): the rows of each finished group of
stages are kept in the work folder, and a group whose rows are there is not run again.

A group is the unit of resumption: its rows are saved only when all of it has run, so a run killed inside a
group (a session's end) runs that group again from its start. The file is replaced atomically after each group."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path


class Checkpoint:
    def __init__(self, path: Path, resume: bool):
        self.path = path
        self.done: dict[str, list[dict]] = json.loads(path.read_text(encoding="utf-8")) if resume and path.exists() else {}

    def run(self, rows: list[dict], group: str, stage: Callable[[], None]) -> bool:
        """Run `stage` (which appends its rows to `rows`) unless an earlier run finished it; then its rows are
        appended as they were. True when it ran now."""
        if group in self.done:
            rows.extend(self.done[group])
            print(f"{self.path.parent.name}: {group}: done in an earlier run, its {len(self.done[group])} row(s) kept",
                  flush=True)
            return False
        start = len(rows)
        stage()
        self.done[group] = rows[start:]
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(self.done, indent=1) + "\n", encoding="utf-8")
        os.replace(partial, self.path)
        print(f"{self.path.parent.name}: {group}: done", flush=True)
        return True

    def forget(self) -> None:
        """The N is finished: its checkpoint is not needed any more."""
        self.path.unlink(missing_ok=True)
