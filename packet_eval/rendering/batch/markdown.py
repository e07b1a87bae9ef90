"""Batch results as Markdown, for a calibration doc or a wiki page: the rows sorted by id, the
histogram of levels read, and the agreement with expected levels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packet_eval.rendering.batch.summary import render_counts

if TYPE_CHECKING:
    from packet_eval.batching import Row
    from packet_eval.evaluating import Agreement
    from packet_eval.summarizing import Summary


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _row(row: Row) -> str:
    expected = "—" if row.expected is None else f"L{row.expected}"
    if row.error is not None:
        return f"| {_cell(row.id)} | — | {expected} | | error: {_cell(row.error)} |"
    gap = f"{row.gap} {row.gap_name}" if row.gap else "—"
    return (
        f"| {_cell(row.id)} | L{row.level} {row.level_name} | {expected} | "
        f"{row.confidence:.2f} | {_cell(gap)} |"
    )


def _histogram(summary: Summary) -> list[str]:
    lines = ["## Levels read", "", "| Level | Packets |", "|---|---:|"]
    lines += [f"| L{bar.level} {bar.name} | {bar.count} |" for bar in summary.histogram]
    return lines


def _agreement(agreement: Agreement) -> list[str]:
    lines = [
        "## Agreement with expected levels",
        "",
        "| Packets | Exact | Adjacent (±1) | QWK | Spearman |",
        "|---:|---:|---:|---:|---:|",
        f"| {agreement.n} | {_fmt(agreement.exact)} | {_fmt(agreement.adjacent)} | "
        f"{_fmt(agreement.qwk)} | {_fmt(agreement.spearman)} |",
        "",
        "Confusion (rows: expected level, columns: level read)",
        "",
        "| | L1 | L2 | L3 | L4 | L5 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for level, counts in enumerate(agreement.confusion, start=1):
        lines.append(f"| **L{level}** | " + " | ".join(str(c) for c in counts) + " |")
    return lines


def render_markdown(summary: Summary) -> str:
    """Render the rows, the histogram and any agreement as Markdown."""
    lines = [
        "# packet-eval batch",
        "",
        render_counts(summary) + ".",
        "",
        "| Packet | Level | Expected | Confidence | Top gap |",
        "|---|---|---|---:|---|",
        *(_row(row) for row in summary.rows),
        "",
        *_histogram(summary),
    ]
    if summary.agreement is not None:
        lines += ["", *_agreement(summary.agreement)]
    return "\n".join(lines) + "\n"
