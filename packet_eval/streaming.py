"""Stream output as it is produced: to stdout, whole piece by whole piece, or to a temporary file
renamed into place only when the block that writes it completes.

Ctrl-C during a write is held until the write is done, so stdout never ends in half a line.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO

from packet_eval.errors import UsageError

Write = Callable[[str], None]


class _HeldInterrupts:
    """A SIGINT handler that raises KeyboardInterrupt at once, or after the write it holds."""

    def __init__(self) -> None:
        self.holding = False
        self.pending = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.holding:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def hold(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
            if self.pending:
                self.pending = False
                raise KeyboardInterrupt


@contextmanager
def _interrupts_held_in_writes() -> Iterator[_HeldInterrupts]:
    held = _HeldInterrupts()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main else None
    # leave SIGINT alone when it is ignored (nohup, background jobs) or not ours to handle
    if previous is not signal.default_int_handler:
        yield held
        return
    signal.signal(signal.SIGINT, held.handle)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


def _temp_beside(target: Path) -> tuple[Path, IO[str]]:
    if target.is_dir():
        raise UsageError(f"{target}: is a directory", hint="--output takes a file path")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory for --output")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    return Path(tmp), os.fdopen(fd, "w", encoding="utf-8", newline="\n")


@contextmanager
def open_output(path: str | Path | None) -> Iterator[Write]:
    """Yield a function that writes text to stdout (flushed at once) or to `path`.

    A file is written beside `path` and renamed into place when the block completes; on an
    error or Ctrl-C it is removed and `path` is left as it was.
    """
    with _interrupts_held_in_writes() as held:
        if path is None:
            yield _stdout_writer(held)
            return
        target = Path(path)
        tmp, fh = _temp_beside(target)

        def write(text: str) -> None:
            fh.write(text)

        try:
            yield write
            with held.hold():
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
                os.replace(tmp, target)
        except BaseException:
            fh.close()
            tmp.unlink(missing_ok=True)
            raise


def _stdout_writer(held: _HeldInterrupts) -> Write:
    def write(text: str) -> None:
        with held.hold():
            _write_all(text)

    return write


def _write_all(text: str) -> None:
    # Not sys.stdout.write: when a signal handler runs during a partial write to a full pipe,
    # its buffered writer drops the rest of that write. os.write reports partial writes.
    stdout = sys.stdout
    try:
        fd = stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test runner's capture)
        stdout.write(text)
        stdout.flush()
        return
    stdout.flush()
    data = memoryview(text.encode(stdout.encoding or "utf-8", stdout.errors or "strict"))
    while data:
        data = data[os.write(fd, data) :]


def silence_stdout() -> None:
    """Point stdout at /dev/null after its reader went away, so exiting does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's capture)
        pass
