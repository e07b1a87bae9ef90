"""Turn claim evidence into a level per criterion and an overall level, with the reasons.

The committee's logic, as code: a level is sustained when several claims reach it (one claim
in a short text), the overall level also needs several criteria to reach it, and anti-signals
(participation verbs, team-only claims, bare numbers …) cap what a claim can show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from packet_eval.criteria import Criterion, Rubric, ScoringRules
from packet_eval.detecting import ClaimEvidence, Evidence

LEARNED = "learned-reader"


@dataclass(frozen=True)
class Reading:
    """What one claim shows on one criterion: its (capped) signal tier and its anti cap."""

    tier: int | None
    cap: int | None
    evidence: tuple[Evidence, ...] = ()
    learned: float | None = None
    reasons: tuple[str, ...] = ()

    @property
    def strong(self) -> bool:
        return self.tier is not None and self.tier >= 3


def read(evidence: Sequence[Evidence]) -> Reading:
    """Read one claim's evidence on one criterion."""
    live = [ev for ev in evidence if not ev.negated]
    tier = max((ev.tier for ev in live if ev.polarity == "signal"), default=None)
    cap = min((ev.tier for ev in live if ev.polarity == "anti"), default=None)
    if tier is not None and cap is not None:
        tier = min(tier, cap)
    return Reading(tier=tier, cap=cap, evidence=tuple(evidence))


@dataclass(frozen=True)
class ClaimScore:
    """A claim's reading on every criterion and the level it reads at on its own."""

    claim: int
    readings: dict[str, Reading]
    level: int | None
    learned: float | None = None


@dataclass(frozen=True)
class CriterionScore:
    """A criterion's level for the whole packet and the claims that set it."""

    criterion: Criterion
    level: int
    confidence: float
    supporting: tuple[int, ...]
    pulling_down: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class PacketScore:
    """The packet's level, with every criterion's score and every claim's reading."""

    level: int
    confidence: float
    criteria: list[CriterionScore]
    claims: list[ClaimScore]
    supporting: tuple[int, ...] = field(default=())
    reason: str = ""


def claim_level(readings: dict[str, Reading], claim_caps: Sequence[int]) -> int | None:
    """Return the level a claim reads at: its best criterion, capped by claim-wide anti-signals."""
    best = max((r.tier for r in readings.values() if r.tier is not None), default=None)
    cap = min(claim_caps, default=None)
    if best is None:
        return cap
    return best if cap is None else min(best, cap)


def score_claims(rubric: Rubric, found: list[ClaimEvidence]) -> list[ClaimScore]:
    """Read every claim on every active criterion."""
    index = rubric.signal_index()
    out: list[ClaimScore] = []
    for ce in found:
        by_crit: dict[str, list[Evidence]] = {}
        for ev in ce.evidence:
            by_crit.setdefault(ev.criterion, []).append(ev)
        readings = {c.id: read(by_crit.get(c.id, [])) for c in rubric.active}
        caps = [
            ev.tier
            for ev in ce.active()
            if ev.polarity == "anti" and index[ev.signal][1].caps == "claim"
        ]
        out.append(ClaimScore(claim=ce.claim, readings=readings, level=claim_level(readings, caps)))
    return out


def needed(rules: ScoringRules, total: int, evidenced: int) -> int:
    """Return how many claims must reach a level for it to be sustained: one in a very short
    text, otherwise `support`, or a share of the claims that show anything if that is more."""
    if total < rules.support_min_claims:
        return 1
    return max(rules.support, math.ceil(rules.support_share * evidenced))


def _sustained(tiers: Sequence[int], need: int) -> int | None:
    ranked = sorted(tiers, reverse=True)
    return ranked[need - 1] if len(ranked) >= need else None


def score_criterion(
    crit: Criterion, claims: list[ClaimScore], rules: ScoringRules
) -> CriterionScore:
    """Set one criterion's level from the claims that show it and the ones that pull it down."""
    pos = [(c.claim, c.readings[crit.id].tier) for c in claims if c.readings[crit.id].tier]
    tiers = [t for _, t in pos if t is not None]
    # A criterion is sustained by `support` claims that show it; the share of all claims
    # applies to the packet's overall level, not to each criterion.
    need = needed(rules, len(claims), 0)
    if not tiers:
        return CriterionScore(crit, rules.floor, 0.2, (), (), "no claim shows this criterion")
    level = _sustained(tiers, need)
    top = max(tiers)
    if level is None:
        level = max(rules.floor, top - 1)
        reason = f"one claim reads L{top}; {need} are needed to sustain it"
    else:
        count = sum(1 for t in tiers if t >= level)
        reason = f"{count} claim{'s' if count > 1 else ''} at L{level} or above"
    supporting = tuple(cid for cid, t in pos if t is not None and t >= level)
    down = tuple(
        c.claim
        for c in claims
        if c.readings[crit.id].cap is not None and (c.readings[crit.id].tier or 0) < level
    )
    if len(down) > len(supporting) and level > rules.floor:
        level -= 1
        reason += f"; {len(down)} claims with anti-signals pull it to L{level}"
    confidence = _confidence(len(supporting), len(down), need)
    return CriterionScore(crit, level, confidence, supporting, down, reason)


def _confidence(support: int, against: int, need: int) -> float:
    base = min(0.95, 0.45 + 0.15 * (support - need + 1))
    return round(max(0.2, base * (1 - 0.5 * against / (against + support + 1))), 2)


def _criteria_shown(claims: list[ClaimScore], level: int, short: bool) -> set[str]:
    """Return the criteria that reach a level; in a short text (a bullet or two) the learned
    reader's level is a voice too, while a packet must show the criteria themselves."""
    shown: set[str] = set()
    for c in claims:
        if c.level is None or c.level < level:
            continue
        shown.update(cid for cid, r in c.readings.items() if r.tier is not None and r.tier >= level)
        if short and c.learned is not None and round(c.learned) >= level:
            shown.add(LEARNED)
    return shown


@dataclass(frozen=True)
class Blend:
    """How a packet's level mixes the committee reading with the learned reader's reading of
    the whole packet (chosen by `packet-eval train` on documents built from held-out folds).

    The learned reading is `intercept + slope * q`, where q is the `quantile` of the claims'
    learned levels; the packet level is `weight` of it plus the rest of the committee level.
    """

    quantile: float
    slope: float
    intercept: float
    weight: float

    def learned_level(self, learned: Sequence[float]) -> float:
        """The learned reading of a whole packet from its claims' learned levels."""
        return float(self.reading(np.quantile(np.asarray(learned, dtype=float), self.quantile)))

    def reading(self, q: np.ndarray | float) -> np.ndarray:
        """The line from a quantile of learned levels to a level, kept on the ladder."""
        return np.clip(self.intercept + self.slope * np.asarray(q, dtype=float), 1.0, 5.0)

    def mix(
        self, reading: np.ndarray | float, committee: np.ndarray | int, floor: int
    ) -> np.ndarray:
        """The packet level: `weight` of the learned reading, the rest the committee's."""
        mixed = self.weight * np.asarray(reading) + (1 - self.weight) * np.asarray(committee)
        return np.clip(np.rint(mixed), floor, 5).astype(int)


@dataclass(frozen=True)
class Blends:
    """A model's blends: one for packets, one for short texts (from `blend_min_claims` up to
    `support_min_claims` claims), where one claim may set the committee's level and the mix
    that agrees best is a different one. Either may be absent."""

    packet: Blend | None = None
    short: Blend | None = None

    def for_text(self, n_claims: int, rules: ScoringRules) -> Blend | None:
        """The blend for a text of `n_claims` claims; None for a single claim."""
        if n_claims < rules.blend_min_claims:
            return None
        return self.short if n_claims < rules.support_min_claims else self.packet


def score_packet(
    rubric: Rubric, claims: list[ClaimScore], blends: Blends | None = None
) -> PacketScore:
    """Set the packet's level: the committee's reading, mixed with the learned reader's
    reading of the whole text when a model brings a blend for a text of its size (a single
    claim keeps its own reading)."""
    committee = score_committee(rubric, claims)
    learned = [c.learned for c in claims if c.learned is not None]
    rules = rubric.ladder.scoring
    blend = blends.for_text(len(claims), rules) if blends is not None else None
    if blend is None or not learned:
        return committee
    reading = blend.learned_level(learned)
    level = int(blend.mix(reading, committee.level, rules.floor))
    if level == committee.level:
        reason = (
            f"{committee.reason}; the learned reader reads the whole packet at L{reading:.1f}, "
            f"which keeps it at L{level}"
        )
        return replace(committee, reason=reason)
    supporters = tuple(c.claim for c in claims if c.level is not None and c.level >= level)
    reason = (
        f"the committee reading is L{committee.level} ({committee.reason}); the learned reader "
        f"reads the whole packet at L{reading:.1f}, so together L{level}"
    )
    return replace(committee, level=level, supporting=supporters, reason=reason)


def score_committee(rubric: Rubric, claims: list[ClaimScore]) -> PacketScore:
    """Set the packet's level: enough claims and enough criteria must reach it, and a core
    criterion must be sustained at it (supporting criteria alone never lift a packet)."""
    rules = rubric.ladder.scoring
    crit_scores = [score_criterion(c, claims, rules) for c in rubric.active]
    levels = [c.level for c in claims if c.level is not None]
    if not levels:
        return PacketScore(
            rules.floor, 0.2, crit_scores, claims, (), "no claim shows any criterion"
        )
    showing = sum(1 for c in claims if any(r.tier is not None for r in c.readings.values()))
    need = needed(rules, len(claims), showing)
    breadth = rules.breadth if len(claims) >= rules.support_min_claims else 1
    for level in range(5, rules.floor - 1, -1):
        supporters = tuple(c.claim for c in claims if c.level is not None and c.level >= level)
        shown = _criteria_shown(claims, level, short=len(claims) < rules.support_min_claims)
        core_reached = any(cs.criterion.core and cs.level >= level for cs in crit_scores)
        core_ok = core_reached or LEARNED in shown
        if len(supporters) >= need and (
            (len(shown) >= breadth and core_ok) or level <= rules.floor
        ):
            conf = _confidence(len(supporters), sum(1 for lv in levels if lv < level) // 3, need)
            reason = (
                f"{len(supporters)} of {len(levels)} evidenced claims read L{level} or above, "
                f"across {len(shown)} criteria"
            )
            return PacketScore(level, conf, crit_scores, claims, supporters, reason)
    return PacketScore(rules.floor, 0.3, crit_scores, claims, (), "no level is sustained")
