"""Input problems: every loader collects them all, then refuses to go on if there is any."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    clause: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        clause = f" [clause {self.clause}]" if self.clause else ""
        return f"{where}{clause}: {self.message}"


class InputError(Exception):
    """Raised with every problem of a run, so the user fixes them in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n" + "\n".join(map(str, self.problems)))
