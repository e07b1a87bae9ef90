"""Write output files atomically: a reader sees the old file or the whole new one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from packet_eval.errors import UsageError


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to path through a temporary file in the same directory and a rename."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{target}: is a directory", hint="--output takes a file path")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory for --output")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
