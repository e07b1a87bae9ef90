"""Measure agreement between packet-eval's levels and labelled levels in a JSONL file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from packet_eval.criteria import parse_level
from packet_eval.errors import InputError, UsageError

if TYPE_CHECKING:
    from packet_eval.classifying import Model
    from packet_eval.criteria import Rubric

LEVELS = 5


class Record(BaseModel):
    """One labelled text: its id, text, level (or rank only) and the fields to split by."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    level: int | None
    rank: int | None
    fields: dict[str, str]


class Agreement(BaseModel):
    """Agreement figures of one group of records."""

    model_config = ConfigDict(frozen=True)

    group: str
    n: int
    exact: float | None
    adjacent: float | None
    qwk: float | None
    spearman: float | None
    confusion: list[list[int]]


def _level_of(raw: object) -> int | None:
    """Return a labelled level given as 3, "3" or "L3" (as `batch` accepts), else None."""
    if not isinstance(raw, int | str) or isinstance(raw, bool):
        return None
    try:
        return parse_level(raw)
    except UsageError:
        return None


def _rank_of(raw: object) -> int | None:
    match = re.search(r"\d+", str(raw)) if raw is not None else None
    return int(match.group()) if match else None


def read_records(
    path: str | Path, *, text_field: str = "text", level_field: str = "level", id_field: str = "id"
) -> Iterator[Record]:
    """Yield the labelled records of a JSONL file; a malformed line is an error naming it."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    with p.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{p}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not isinstance(row.get(text_field), str):
                raise InputError(f"{p}:{number}: no string field {text_field!r}")
            level = row.get(level_field)
            yield Record(
                id=str(row.get(id_field, f"{p.stem}-{number}")),
                text=row[text_field],
                level=_level_of(level),
                rank=_rank_of(row.get("raw_level", level)),
                fields={
                    k: str(v)
                    for k, v in row.items()
                    if isinstance(v, str | int) and k != text_field
                },
            )


def documents(records: Iterable[Record], keys: Sequence[str]) -> list[Record]:
    """Join records that share the given fields (and level) into one bulleted document each."""
    groups: dict[tuple[str, ...], list[Record]] = {}
    for rec in records:
        key = (*(rec.fields.get(k, "") for k in keys), str(rec.level or rec.rank))
        groups.setdefault(key, []).append(rec)
    out = []
    for key, members in groups.items():
        first = members[0]
        out.append(
            Record(
                id=" / ".join(key),
                text="\n".join(f"- {m.text}" for m in members),
                level=first.level,
                rank=first.rank,
                fields=first.fields,
            )
        )
    return out


def qwk(truth: Sequence[int], pred: Sequence[int], k: int = LEVELS) -> float | None:
    """Quadratic weighted kappa of two level sequences on 1..k."""
    n = len(truth)
    if n == 0:
        return None
    observed = [[0.0] * k for _ in range(k)]
    for t, p in zip(truth, pred, strict=True):
        observed[t - 1][p - 1] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            w = (i - j) ** 2 / (k - 1) ** 2
            num += w * observed[i][j]
            den += w * rows[i] * cols[j] / n
    return None if den == 0 else 1 - num / den


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for m in range(i, j + 1):
            ranks[order[m]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Spearman rank correlation, ties averaged."""
    if len(a) < 3:
        return None
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return None if va == 0 or vb == 0 else cov / (va * vb)


def agreement(group: str, pairs: Sequence[tuple[Record, int]]) -> Agreement:
    """Compute exact, adjacent, QWK, Spearman and the confusion matrix of scored records."""
    labelled = [(r.level, p) for r, p in pairs if r.level is not None]
    truth = [t for t, _ in labelled if t is not None]
    pred = [p for _, p in labelled]
    confusion = [[0] * LEVELS for _ in range(LEVELS)]
    for t, p in zip(truth, pred, strict=True):
        confusion[t - 1][p - 1] += 1
    ranked = [(float(r.level or r.rank or 0), float(p)) for r, p in pairs if r.level or r.rank]
    n = len(truth)
    return Agreement(
        group=group,
        n=len(pairs),
        exact=sum(t == p for t, p in zip(truth, pred, strict=True)) / n if n else None,
        adjacent=sum(abs(t - p) <= 1 for t, p in zip(truth, pred, strict=True)) / n if n else None,
        qwk=qwk(truth, pred),
        spearman=spearman([a for a, _ in ranked], [b for _, b in ranked]),
        confusion=confusion,
    )


def agreement_by(pairs: Sequence[tuple[Record, int]], by: str | None) -> list[Agreement]:
    """Return overall agreement, then one row per value of a field when `by` is given."""
    rows = [agreement("all", pairs)]
    if by:
        groups: dict[str, list[tuple[Record, int]]] = {}
        for rec, pred in pairs:
            groups.setdefault(rec.fields.get(by, "?"), []).append((rec, pred))
        rows += [agreement(name, groups[name]) for name in sorted(groups)]
    return rows


def score_records(
    records: Sequence[Record], level_of: Callable[[Record], int]
) -> list[tuple[Record, int]]:
    """Score every record with a reader, keeping the records' order."""
    return [(rec, level_of(rec)) for rec in records]


def _level_words_re(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def measure(
    records: Sequence[Record], rubric: Rubric, model: Model | None, *, by: str | None = None
) -> list[Agreement]:
    """Score records with one reader; agreement overall, per `by` value, and level-word free."""
    from packet_eval.api import evaluate_packet
    from packet_eval.reading import packet_from_text

    def level_of(rec: Record) -> int:
        packet = packet_from_text(rec.text, rec.id, rec.id)
        return evaluate_packet(packet, rubric=rubric, model=model).level

    pairs = score_records(records, level_of)
    naming = _level_words_re(rubric.lexicon.level_words)
    rows = agreement_by(pairs, by)
    plain = [(r, p) for r, p in pairs if not naming.search(r.text)]
    rows.append(agreement("without level words", plain))
    return rows


def run_evaluation(
    path: str | Path,
    *,
    by: str | None = None,
    documents_mode: bool = False,
    text_field: str = "text",
    level_field: str = "level",
    fmt: str = "text",
    criteria: str | Path | None = None,
    model: Model | None = None,
) -> str:
    """Score a labelled JSONL file with the rules alone and (given a model) with both readers,
    and render agreement overall, per group, and without records that name a level."""
    from packet_eval.criteria import load_rubric
    from packet_eval.rendering.agreement import render_agreement

    rubric = load_rubric(criteria)
    records = list(read_records(path, text_field=text_field, level_field=level_field))
    if not records:
        raise InputError(f"{path}: no records")
    if documents_mode:
        records = documents(records, ["source_repo", "track"])
    unit = "documents" if documents_mode else "records"
    readers: list[tuple[str, Model | None]] = [("rules only", None)]
    if model is not None:
        readers.append(("rules + learned reader", model))
    parts = [
        render_agreement(
            measure(records, rubric, reader, by=by),
            title=f"{Path(path).name}: {len(records)} {unit}, {name}",
            fmt=fmt,
        )
        for name, reader in readers
    ]
    if fmt == "json":
        return "[\n" + ",\n".join(p.rstrip() for p in parts) + "\n]\n"
    return "\n".join(parts)
