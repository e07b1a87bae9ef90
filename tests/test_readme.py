"""The README's usage is checked against the CLI itself: every command and option is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from packet_eval.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
ROOT_COMMAND = typer.main.get_command(app)


def _commands() -> list[tuple[str, Any]]:
    # typer vendors its own click, so groups are recognised by shape, not by class.
    out = []
    assert hasattr(ROOT_COMMAND, "commands")
    for name, cmd in ROOT_COMMAND.commands.items():
        if hasattr(cmd, "commands"):
            out += [(f"{name} {sub}", c) for sub, c in cmd.commands.items()]
        else:
            out.append((name, cmd))
    return out


@pytest.mark.parametrize(("name", "command"), _commands(), ids=[n for n, _ in _commands()])
def test_readme_documents_every_command_and_option(name: str, command: Any) -> None:
    top = name.split()[0]
    assert f"packet-eval {top}" in README, f"README never shows `packet-eval {top}`"
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"`packet-eval {name}` option {opt} is not in the README"


def test_readme_test_command_is_the_one_ci_runs() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in README
    assert "python -m pytest -q" in ci
