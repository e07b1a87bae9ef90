"""The report as one JSON document (the contract in DESIGN.md)."""

from __future__ import annotations

import json

from packet_eval.schema import Report


def report_dict(report: Report) -> dict:
    return report.model_dump(mode="json")


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def render_jsonl_line(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, separators=(",", ":")) + "\n"
