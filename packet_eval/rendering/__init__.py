"""Format a finished report; one module per format, none of them computes anything."""

from __future__ import annotations

from enum import Enum

from packet_eval.schema import Report


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def render(report: Report, fmt: ReportFormat, *, color: bool = False, width: int = 100) -> str:
    """Render a report in a format; text may use colour when written to a terminal."""
    if fmt is ReportFormat.json:
        from packet_eval.rendering.json import render_json

        return render_json(report)
    if fmt is ReportFormat.markdown:
        from packet_eval.rendering.markdown import render_markdown

        return render_markdown(report)
    from packet_eval.rendering.text import render_text

    return render_text(report, color=color, width=width)
