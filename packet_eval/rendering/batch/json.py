"""Batch results as JSON Lines (one `score` report, or one error, per line) or one document."""

from __future__ import annotations

import json
from textwrap import indent
from typing import TYPE_CHECKING, Any

from packet_eval.rendering.batch import Write
from packet_eval.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from packet_eval.batching import Outcome, Row
    from packet_eval.summarizing import Summary


def error_record(row: Row) -> dict[str, Any]:
    """The JSON of an input that could not be scored: its id, source and the reason."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": row.id,
        "source": row.source,
        "expected_level": row.expected,
        "error": row.error,
    }


def summary_record(summary: Summary) -> dict[str, Any]:
    """The JSON of a batch summary: counts, levels read and agreement."""
    return {
        "inputs": summary.total,
        "scored": summary.scored,
        "errors": summary.failed,
        "interrupted": summary.interrupted,
        "levels": [bar.model_dump() for bar in summary.histogram],
        "agreement": summary.agreement.model_dump() if summary.agreement else None,
    }


def jsonl_line(outcome: Outcome) -> str:
    """One line: the report exactly as `score --format json` gives it, or the error record."""
    if outcome.report is not None:
        return outcome.report + "\n"
    return json.dumps(error_record(outcome.row), ensure_ascii=False, separators=(",", ":")) + "\n"


class JsonlWriter:
    """Write one line per outcome, as it comes; the summary goes to stderr, not here."""

    def __init__(self, write: Write) -> None:
        self.write = write

    def start(self) -> None:
        pass

    def add(self, outcome: Outcome) -> None:
        self.write(jsonl_line(outcome))

    def finish(self, summary: Summary) -> None:
        pass


def _pretty(value: Any, depth: int) -> str:
    return indent(json.dumps(value, indent=2, ensure_ascii=False), "  " * depth).lstrip()


class JsonWriter:
    """Stream one JSON document, `{"schema_version", "results": [...], "summary"}`, laid out
    exactly as `json.dumps(document, indent=2)` would, without holding the results."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.count = 0

    def start(self) -> None:
        self.write(f'{{\n  "schema_version": {SCHEMA_VERSION},\n  "results": [')

    def add(self, outcome: Outcome) -> None:
        if outcome.report is not None:
            result = json.loads(outcome.report)
        else:
            result = error_record(outcome.row)
        self.write(("," if self.count else "") + "\n    " + _pretty(result, 2))
        self.count += 1

    def finish(self, summary: Summary) -> None:
        close = "\n  ]" if self.count else "]"
        self.write(f'{close},\n  "summary": {_pretty(summary_record(summary), 1)}\n}}\n')
