from __future__ import annotations

from packet_eval.api import evaluate

ROUTINE = [
    "- Fixed the date parsing bug in the export job.",
    "- Wrote unit tests for the invoice module.",
    "- Updated the onboarding docs for the billing service.",
    "- Answered support questions about the export job.",
    "- Renamed the config flags in the billing service.",
]
BUZZ = (
    "- Drove strategic company-wide cross-functional alignment across the org, "
    "adopted by every team."
)


def test_scoring_one_buzzword_sentence_does_not_lift_a_packet() -> None:
    base = evaluate("p.md", text="\n".join(ROUTINE), model=None)
    lifted = evaluate("p.md", text="\n".join([*ROUTINE, BUZZ]), model=None)
    assert lifted.level <= base.level + 1
    assert lifted.level < 4


def test_scoring_participation_pulls_ownership_down() -> None:
    owned = "\n".join(
        f"- Led the {x} migration end to end." for x in ["billing", "search", "ledger", "auth"]
    )
    helped = "\n".join(
        f"- Helped with the {x} migration." for x in ["billing", "search", "ledger", "auth"]
    )

    def own(text: str) -> int:
        report = evaluate("p.md", text=text, model=None)
        return next(c.level for c in report.criteria if c.code == "OWN")

    assert own(helped) < own(owned)


def test_scoring_is_deterministic() -> None:
    text = "\n".join([*ROUTINE, BUZZ])
    first = evaluate("p.md", text=text, model=None).model_dump_json()
    assert all(evaluate("p.md", text=text, model=None).model_dump_json() == first for _ in range(3))


def test_scoring_every_criterion_level_traces_to_claims_or_says_none() -> None:
    report = evaluate("p.md", text="\n".join([*ROUTINE, BUZZ]), model=None)
    lines = {c.line for c in report.claims}
    for crit in report.criteria:
        assert crit.evidence or "no claim" in crit.reason
        assert all(ev.line in lines for ev in crit.evidence)
