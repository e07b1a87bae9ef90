"""Batch results as a table for a person at a terminal: one row per packet, sorted by id,
then the histogram of levels read and the agreement with expected levels."""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from packet_eval.rendering.batch.summary import render_summary
from packet_eval.rendering.console import string_console

if TYPE_CHECKING:
    from packet_eval.batching import Row
    from packet_eval.summarizing import Summary


def _level_cell(row: Row) -> Text:
    if row.level is None:
        return Text("—")
    style = ""
    if row.expected is not None:
        style = {0: "green", 1: "yellow"}.get(abs(row.level - row.expected), "red")
    return Text(f"L{row.level} {row.level_name}", style=style)


def _gap_cell(row: Row) -> Text:
    if row.error is not None:
        return Text(f"error: {row.error}", style="red")
    return Text(f"{row.gap} {row.gap_name}" if row.gap else "—")


def _rows_table(summary: Summary) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    # everything but the gap names stays on one line; they wrap when the width runs short
    table.add_column("Packet", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Expected", no_wrap=True)
    table.add_column("Conf", justify="right", no_wrap=True)
    table.add_column("Top gap")
    for row in summary.rows:
        table.add_row(
            Text(row.id),
            _level_cell(row),
            "—" if row.expected is None else f"L{row.expected}",
            "" if row.confidence is None else f"{row.confidence:.2f}",
            _gap_cell(row),
        )
    return table


def render_table(summary: Summary, *, color: bool = False, width: int = 100) -> str:
    """Render the rows, the histogram and any agreement as (optionally coloured) text."""
    out = StringIO()
    console = string_console(out, color=color, width=width)
    console.print(_rows_table(summary))
    console.print()
    console.print(Text(render_summary(summary).rstrip("\n")))
    return "\n".join(line.rstrip() for line in out.getvalue().split("\n"))
