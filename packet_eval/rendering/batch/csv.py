"""Batch results as CSV: a header, then one line per input as it comes, in input order."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from packet_eval.rendering.batch import Write

if TYPE_CHECKING:
    from packet_eval.batching import Outcome, Row
    from packet_eval.summarizing import Summary

COLUMNS = (
    "id",
    "source",
    "level",
    "level_name",
    "expected_level",
    "confidence",
    "top_gap",
    "top_gap_name",
    "error",
)


def csv_line(values: tuple[object, ...]) -> str:
    """One CSV line, quoted as needed, ending in a newline."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def row_values(row: Row) -> tuple[object, ...]:
    """A row's cells, in COLUMNS order; empty for what is unknown."""
    cells = (
        row.id,
        row.source,
        row.level,
        row.level_name,
        row.expected,
        row.confidence,
        row.gap,
        row.gap_name,
        row.error,
    )
    return tuple("" if cell is None else cell for cell in cells)


class CsvWriter:
    """Write the header, then one line per outcome as it comes."""

    def __init__(self, write: Write) -> None:
        self.write = write

    def start(self) -> None:
        self.write(csv_line(COLUMNS))

    def add(self, outcome: Outcome) -> None:
        self.write(csv_line(row_values(outcome.row)))

    def finish(self, summary: Summary) -> None:
        pass
