from __future__ import annotations

from packet_eval.api import evaluate
from tests.conftest import EXAMPLES


def test_explaining_gap_notes_quote_the_packet_with_lines() -> None:
    path = EXAMPLES / "l2-data-engineer-partner-ingestion.md"
    report = evaluate(path, model=None)
    lines = path.read_text().splitlines()
    assert report.gap_notes
    for crit in report.criteria:
        for near in crit.closest:
            assert near.text.split()[0].strip("*_`[") in lines[near.line - 1]


def test_explaining_notes_differ_between_packets() -> None:
    a = evaluate(EXAMPLES / "l2-data-engineer-partner-ingestion.md", target="L4", model=None)
    b = evaluate(EXAMPLES / "l3-data-scientist-churn.md", target="L4", model=None)
    assert set(a.gap_notes).isdisjoint(b.gap_notes)


def test_explaining_target_sets_the_notes() -> None:
    path = EXAMPLES / "l3-data-scientist-churn.md"
    low = evaluate(path, target="L2", model=None)
    high = evaluate(path, target="L5", model=None)
    assert len(high.gap_notes) >= len(low.gap_notes)
    assert all("L5 needs" in c.gap for c in high.criteria if c.gap)


def test_explaining_questions_ask_rather_than_invent() -> None:
    report = evaluate(EXAMPLES / "l2-data-engineer-partner-ingestion.md", model=None)
    questions = [q for c in report.criteria for q in c.questions]
    assert questions and all(q.endswith("?") for q in questions)
