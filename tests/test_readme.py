"""The README's commands are the ones CI runs, and every CLI command is documented."""

from __future__ import annotations

import re

from privacy_kg.cli import app
from conftest import REPO


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (REPO / "README.md").read_text(), flags=re.S)


def test_ci_runs_the_readme_test_command():
    test_command = next(c for c in readme_commands() if "pytest" in c)
    assert test_command in (REPO / ".ci" / "run").read_text()


def test_every_command_is_documented():
    readme = (REPO / "README.md").read_text()
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) >= 4
    for name in names:
        assert f"`{name}" in readme, name
