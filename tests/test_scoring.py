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


def _claims(learned: list[float]) -> list:
    """Claims the rules cannot read at all, with the learned reader's levels."""
    from packet_eval.criteria import load_rubric
    from packet_eval.scoring import ClaimScore, Reading

    ids = [c.id for c in load_rubric().active]
    return [
        ClaimScore(
            claim=i, readings={c: Reading(None, None) for c in ids}, level=round(lv), learned=lv
        )
        for i, lv in enumerate(learned)
    ]


def test_scoring_blend_lets_the_learned_reader_read_a_packet_the_rules_cannot() -> None:
    from packet_eval.criteria import load_rubric
    from packet_eval.scoring import Blend, Blends, score_packet

    rubric = load_rubric()
    claims = _claims([3.9, 4.2, 4.1, 3.8, 4.4])
    alone = score_packet(rubric, claims)
    assert alone.level == rubric.ladder.scoring.floor
    half = score_packet(rubric, claims, Blends(packet=Blend(0.5, 1.0, 0.0, weight=0.5)))
    full = score_packet(rubric, claims, Blends(packet=Blend(0.5, 1.0, 0.0, weight=1.0)))
    # A packet's own blend: the short texts' one does not apply to it.
    assert score_packet(rubric, claims, Blends(short=Blend(0.5, 1.0, 0.0, 1.0))) == alone
    assert (half.level, full.level) == (3, 4)  # (0.5 * 4.1 + 0.5 * 1) rounds to 3
    assert "learned reader reads the whole packet at L4.1" in full.reason
    assert full.supporting == (0, 1, 2, 3, 4)


def test_scoring_short_texts_have_their_own_blend_and_a_single_claim_none() -> None:
    from packet_eval.criteria import load_rubric
    from packet_eval.scoring import Blend, Blends, score_packet

    rubric = load_rubric()
    halving = Blend(quantile=0.5, slope=0.5, intercept=0.0, weight=1.0)
    both = Blends(packet=halving, short=halving)
    one = _claims([4.2])
    assert score_packet(rubric, one, both) == score_packet(rubric, one)
    # Two claims: one may set the committee's level (L4); the short blend reads it whole.
    two = _claims([4.2, 3.9])
    assert score_packet(rubric, two).level == 4
    assert score_packet(rubric, two, Blends(short=halving)).level == 2
    assert "reads the whole packet at L2.0" in score_packet(rubric, two, both).reason
    assert score_packet(rubric, two, Blends(packet=halving)) == score_packet(rubric, two)
