"""Agreement tables for `evaluate` (and batch runs with expected levels)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from packet_eval.evaluating import Agreement


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_agreement(rows: Sequence[Agreement], *, title: str, fmt: str = "text") -> str:
    """Render agreement rows as a text table (with the overall confusion matrix) or JSON."""
    if fmt == "json":
        return (
            json.dumps({"title": title, "groups": [r.model_dump() for r in rows]}, indent=2) + "\n"
        )
    width = max(12, *(len(r.group) for r in rows))
    lines = [title, "", f"{'group':<{width}}  {'n':>5}  exact  adjacent  QWK     Spearman"]
    for r in rows:
        lines.append(
            f"{r.group:<{width}}  {r.n:>5}  {_fmt(r.exact):>5}  {_fmt(r.adjacent):>8}  "
            f"{_fmt(r.qwk):>6}  {_fmt(r.spearman):>8}"
        )
    lines += [
        "",
        "confusion (rows: labelled level, columns: read level)",
        "      L1   L2   L3   L4   L5",
    ]
    for i, row in enumerate(rows[0].confusion, start=1):
        lines.append(f"L{i}  " + " ".join(f"{c:>4}" for c in row))
    return "\n".join(lines) + "\n"
