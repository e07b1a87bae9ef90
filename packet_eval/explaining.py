"""Write gap notes: what the target level needs, the claims closest to it, and what to ask."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from packet_eval.criteria import Criterion, Rubric
from packet_eval.scoring import ClaimScore, CriterionScore, PacketScore
from packet_eval.segmenting import Claim

MAX_CLOSEST = 2
MAX_QUESTIONS = 3


class Closest(BaseModel):
    model_config = ConfigDict(frozen=True)

    claim: int
    reads: int | None
    short_of: tuple[str, ...]


class Gap(BaseModel):
    """The gap on one criterion between where the packet reads and the target."""

    model_config = ConfigDict(frozen=True)

    criterion: str
    text: str
    closest: tuple[Closest, ...]
    questions: tuple[str, ...]


def _rank(crit: Criterion, claims: list[ClaimScore]) -> list[ClaimScore]:
    def key(c: ClaimScore) -> tuple[int, int, int]:
        reading = c.readings[crit.id]
        return (-(reading.tier or 0), -(c.level or 0), c.claim)

    shown = [c for c in claims if c.readings[crit.id].tier or c.readings[crit.id].cap]
    return sorted(shown, key=key)[:MAX_CLOSEST]


def _short_of(crit: Criterion, score: ClaimScore, target: int, rubric: Rubric) -> tuple[str, ...]:
    reading = score.readings[crit.id]
    reasons = [ev.message for ev in reading.evidence if ev.polarity == "anti" and not ev.negated]
    reasons += [f'"{ev.text}" is negated' for ev in reading.evidence if ev.negated]
    if reading.tier is None:
        reasons.append(f"shows nothing yet on {crit.name.lower()}")
    elif reading.tier < target:
        reasons.append(f"reads L{reading.tier} here: {crit.levels[reading.tier].rstrip('.')}")
    elif score.level is not None and score.level < target:
        caps = _claim_caps(score, rubric)
        reasons.append(
            f"capped at L{score.level} by: {'; '.join(caps)}"
            if caps
            else f"the claim as a whole reads L{score.level}"
        )
    else:
        reasons.append(f"reads L{target} alone; a second claim at L{target} would sustain it")
    return tuple(dict.fromkeys(reasons))


def _claim_caps(score: ClaimScore, rubric: Rubric) -> list[str]:
    index = rubric.signal_index()
    return list(
        dict.fromkeys(
            ev.message
            for r in score.readings.values()
            for ev in r.evidence
            if ev.polarity == "anti" and not ev.negated and index[ev.signal][1].caps == "claim"
        )
    )


def _questions(crit: Criterion, closest: list[ClaimScore], rubric: Rubric) -> tuple[str, ...]:
    index = rubric.signal_index()
    asks = [
        index[ev.signal][1].ask
        for c in closest
        for ev in c.readings[crit.id].evidence
        if ev.polarity == "anti" and index[ev.signal][1].ask
    ]
    return tuple(dict.fromkeys([*asks, *crit.gap.questions]))[:MAX_QUESTIONS]


def explain_criterion(
    cs: CriterionScore, packet: PacketScore, target: int, rubric: Rubric
) -> Gap | None:
    """Return the gap note of one criterion, or None when it already reads at the target."""
    crit = cs.criterion
    if cs.level >= target:
        return None
    closest = _rank(crit, packet.claims)
    text = (
        f"{crit.name} reads L{cs.level}: {crit.levels[cs.level].rstrip('.')}. "
        f"L{target} needs: {crit.gap.needs[target]}"
    )
    if not closest:
        text += " No sentence in the packet shows this criterion yet."
    return Gap(
        criterion=crit.id,
        text=text,
        closest=tuple(
            Closest(
                claim=c.claim,
                reads=c.readings[crit.id].tier,
                short_of=_short_of(crit, c, target, rubric),
            )
            for c in closest
        ),
        questions=_questions(crit, closest, rubric),
    )


def gap_summary(gap: Gap, crit: Criterion, claims: list[Claim]) -> str:
    """Return a one-paragraph gap note naming the closest claim and the first question."""
    note = f"{crit.code}: {gap.text}"
    if gap.closest:
        first = gap.closest[0]
        claim = claims[first.claim]
        quote = claim.text if len(claim.text) <= 90 else claim.text[:87].rstrip() + "…"
        note += f' Closest: line {claim.line}, "{quote}" ({"; ".join(first.short_of)}).'
    if gap.questions:
        note += f" Ask: {gap.questions[0]}"
    return note


def order_gaps(gaps: list[tuple[CriterionScore, Gap]]) -> list[tuple[CriterionScore, Gap]]:
    """Put the gaps that matter most first: core criteria, then the widest, then the heaviest."""
    return sorted(gaps, key=lambda g: (not g[0].criterion.core, g[0].level, -g[0].criterion.weight))
