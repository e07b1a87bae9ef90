"""Golden files: the exact text and JSON two packets render to (rule-only, so retraining the
model does not churn them). Regenerate deliberately with UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from packet_eval.api import evaluate
from packet_eval.rendering import ReportFormat, render
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    ("l2-data-engineer-partner-ingestion", ReportFormat.text, "txt"),
    ("l2-data-engineer-partner-ingestion", ReportFormat.json, "json"),
    ("l4-sre-progressive-delivery", ReportFormat.text, "txt"),
    ("l4-sre-progressive-delivery", ReportFormat.json, "json"),
    ("l4-sre-progressive-delivery", ReportFormat.markdown, "md"),
]


@pytest.mark.parametrize(("stem", "fmt", "ext"), CASES)
def test_golden_render_matches(stem: str, fmt: ReportFormat, ext: str) -> None:
    report = evaluate(EXAMPLES / f"{stem}.md", model=None)
    report = report.model_copy(update={"source": f"examples/packets/{stem}.md"})
    got = render(report, fmt)
    path = GOLDEN / f"{stem}.{ext}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert got == path.read_text(encoding="utf-8")
