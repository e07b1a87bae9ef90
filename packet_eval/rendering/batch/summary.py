"""A batch summary as plain text: counts, the histogram of levels read, and agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packet_eval.rendering.agreement import render_agreement

if TYPE_CHECKING:
    from packet_eval.summarizing import Summary

BAR_WIDTH = 40


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render_counts(summary: Summary) -> str:
    """One line: how many inputs were scored and how many could not be."""
    seen = summary.scored + summary.failed
    line = f"{_plural(seen, 'input')}: {summary.scored} scored, {_plural(summary.failed, 'error')}"
    if summary.interrupted:
        line += f" (interrupted after {seen} of {summary.total})"
    return line


def render_histogram(summary: Summary) -> str:
    """The levels read, one bar per level."""
    top = max((bar.count for bar in summary.histogram), default=0) or 1
    width = max(len(bar.name) for bar in summary.histogram)
    lines = ["Levels read"]
    for bar in summary.histogram:
        drawn = "█" * round(BAR_WIDTH * bar.count / top)
        lines.append(f"  L{bar.level} {bar.name:<{width}}  {bar.count:>5}  {drawn}".rstrip())
    return "\n".join(lines) + "\n"


def render_summary(summary: Summary) -> str:
    """Counts, histogram and, when expected levels were known, the agreement table."""
    parts = [render_counts(summary) + "\n", render_histogram(summary)]
    if summary.agreement is not None:
        title = f"Agreement with expected levels ({_plural(summary.agreement.n, 'packet')})"
        parts.append(render_agreement([summary.agreement], title=title))
    return "\n".join(parts)
