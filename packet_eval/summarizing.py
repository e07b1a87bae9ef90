"""Summarize a batch as outcomes come in: counts, the histogram of levels read, agreement with
expected levels, and (for the formats that sort them) the rows; nothing else is kept."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from packet_eval.batching import Row
from packet_eval.evaluating import LEVELS, Agreement

if TYPE_CHECKING:
    from packet_eval.criteria import Rubric


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Bar(_Frozen):
    """One level of the histogram of levels read."""

    level: int
    name: str
    count: int


class Summary(_Frozen):
    """What a batch found: counts, the histogram, agreement with expected levels, the rows."""

    total: int
    scored: int
    failed: int
    histogram: list[Bar]
    agreement: Agreement | None
    rows: list[Row]
    interrupted: bool = False


class Tally:
    """Keep what the summary needs of each outcome: counts, level pairs, and rows if asked."""

    def __init__(self, keep_rows: bool) -> None:
        self.keep_rows = keep_rows
        self.levels: Counter[int] = Counter()
        self.failed = 0
        self.pairs: list[tuple[int, int]] = []
        self.rows: list[Row] = []

    @property
    def seen(self) -> int:
        return self.levels.total() + self.failed

    def add(self, row: Row) -> None:
        """Count one outcome's row."""
        if self.keep_rows:
            self.rows.append(row)
        if row.level is None:
            self.failed += 1
            return
        self.levels[row.level] += 1
        if row.expected is not None:
            self.pairs.append((row.expected, row.level))

    def summary(self, rubric: Rubric, total: int, *, interrupted: bool = False) -> Summary:
        """Return the summary so far, rows sorted by id."""
        return Summary(
            total=total,
            scored=self.levels.total(),
            failed=self.failed,
            histogram=[
                Bar(level=lv, name=rubric.ladder.name_of(lv), count=self.levels[lv])
                for lv in range(1, LEVELS + 1)
            ],
            agreement=self._agreement(),
            rows=sorted(self.rows, key=lambda r: (r.id, r.source)),
            interrupted=interrupted,
        )

    def _agreement(self) -> Agreement | None:
        from packet_eval.evaluating import Record, agreement

        if not self.pairs:
            return None
        records = [
            (Record(id="", text="", level=truth, rank=None, fields={}), read)
            for truth, read in self.pairs
        ]
        return agreement("all", records)
