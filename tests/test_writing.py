from __future__ import annotations

import os
from pathlib import Path

import pytest

from packet_eval.errors import UsageError
from packet_eval.writing import write_atomic


def test_writing_replaces_whole_file_with_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    write_atomic(path, "first\n")
    write_atomic(path, "second\n")
    assert path.read_text() == "second\n"
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_writing_keeps_an_existing_files_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert path.stat().st_mode & 0o777 == 0o640


def test_writing_refuses_a_directory_or_missing_parent(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(UsageError, match="no such directory"):
        write_atomic(tmp_path / "nope" / "out.txt", "x")
