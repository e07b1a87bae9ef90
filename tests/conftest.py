"""Shared fixtures: the bundled rubric and the blank pipeline are built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from packet_eval.criteria import Rubric, load_rubric
from packet_eval.resources import default_criteria_dir

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "packets"


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from packet_eval.segmenting import make_nlp

    return make_nlp()


@pytest.fixture
def criteria_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled criteria, for tests that break it on purpose."""
    target = tmp_path / "criteria"
    shutil.copytree(default_criteria_dir(), target)
    return target


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
