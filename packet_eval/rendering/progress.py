"""A progress bar on stderr for long batch runs: count, rate and time left.

It appears only once a run has taken a second, and only when asked for (a terminal, no
--quiet); notes about failed inputs are printed above it, or plainly when there is no bar.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

DELAY = 1.0


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("–/s" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")


class BatchProgress:
    """Count finished items; draw a bar on stderr after DELAY seconds if enabled."""

    def __init__(self, total: int, *, enabled: bool, label: str = "scoring") -> None:
        self.total = total
        self.enabled = enabled
        self.label = label
        self.done = 0
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> BatchProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def advance(self) -> None:
        """Count one finished item."""
        self.done += 1
        if self.bar is None and self._due():
            self._show()
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=self.done)

    def note(self, line: str) -> None:
        """Print one line on stderr, above the bar when there is one."""
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def _due(self) -> bool:
        running = time.monotonic() - self.started
        return self.enabled and running >= DELAY and self.done < self.total

    def _show(self) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.task = self.bar.add_task(self.label, total=self.total, completed=self.done)
        self.bar.start()
