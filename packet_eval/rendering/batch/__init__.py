"""Batch output, one module per format: a writer streams each outcome as it comes (jsonl, csv,
json) or keeps nothing and renders the sorted rows at the end (table, markdown)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from packet_eval.batching import Outcome
    from packet_eval.summarizing import Summary

Write = Callable[[str], None]


class BatchFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    markdown = "markdown"

    @property
    def streams(self) -> bool:
        """Whether the output is machine-readable and written as outcomes come in."""
        return self in (BatchFormat.csv, BatchFormat.jsonl, BatchFormat.json)

    @property
    def needs_reports(self) -> bool:
        """Whether the output holds whole reports, not only rows."""
        return self in (BatchFormat.jsonl, BatchFormat.json)


class Writer(Protocol):
    """Writes a batch's output. Constructing one writes nothing: `start` writes the opening,
    so that a Ctrl-C during it still reaches the code that calls `finish`."""

    def start(self) -> None:
        """Write what precedes the first outcome."""

    def add(self, outcome: Outcome) -> None:
        """Write (or skip) one outcome as it comes."""

    def finish(self, summary: Summary) -> None:
        """Write what follows the last outcome."""


class _AtEnd:
    """Write nothing as outcomes come; render the whole summary at the end."""

    def __init__(self, write: Write, render: Callable[[Summary], str]) -> None:
        self.write = write
        self.render = render

    def start(self) -> None:
        pass

    def add(self, outcome: Outcome) -> None:
        pass

    def finish(self, summary: Summary) -> None:
        self.write(self.render(summary))


def writer_for(fmt: BatchFormat, write: Write, *, color: bool = False, width: int = 100) -> Writer:
    """Return the writer of a format, writing through `write`."""
    if fmt is BatchFormat.jsonl:
        from packet_eval.rendering.batch.json import JsonlWriter

        return JsonlWriter(write)
    if fmt is BatchFormat.json:
        from packet_eval.rendering.batch.json import JsonWriter

        return JsonWriter(write)
    if fmt is BatchFormat.csv:
        from packet_eval.rendering.batch.csv import CsvWriter

        return CsvWriter(write)
    if fmt is BatchFormat.markdown:
        from packet_eval.rendering.batch.markdown import render_markdown

        return _AtEnd(write, render_markdown)
    from packet_eval.rendering.batch.table import render_table

    return _AtEnd(write, lambda summary: render_table(summary, color=color, width=width))
