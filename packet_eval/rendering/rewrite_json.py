"""`rewrite --format json`: one JSON document, every bullet in input order."""

from __future__ import annotations

import json

from packet_eval.rewrite_schema import RewriteReport


def render_rewrite_json(report: RewriteReport) -> str:
    """Render the rewrite report as one JSON document."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
