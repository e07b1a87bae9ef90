"""The end-to-end reading of one packet: the public Python API the CLI shares."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from packet_eval.criteria import Rubric, load_rubric, parse_level
from packet_eval.detecting import ClaimEvidence, detector_for
from packet_eval.explaining import Gap, explain_criterion, gap_summary, order_gaps
from packet_eval.reading import DEFAULT_MAX_BYTES, Packet, packet_from_text, read_path
from packet_eval.schema import (
    ClaimReport,
    ClosestClaim,
    CriterionReport,
    EvidenceItem,
    Provenance,
    Report,
)
from packet_eval.scoring import CriterionScore, PacketScore, score_claims, score_packet
from packet_eval.segmenting import Claim, segment

if TYPE_CHECKING:
    from packet_eval.classifying import Model

MAX_EVIDENCE = 5


def package_version() -> str:
    try:
        return version("packet-eval")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def _expected(packet: Packet) -> int | None:
    raw = packet.meta.get("level")
    try:
        return parse_level(raw) if raw is not None else None
    except Exception:
        return None


def _evidence_items(
    cs: CriterionScore, packet: PacketScore, claims: list[Claim]
) -> list[EvidenceItem]:
    crit_id = cs.criterion.id
    chosen = list(cs.supporting) + [c for c in cs.pulling_down if c not in cs.supporting]
    items: list[EvidenceItem] = []
    for idx in chosen:
        score = packet.claims[idx]
        claim = claims[idx]
        for ev in score.readings[crit_id].evidence:
            if ev.negated:
                continue
            items.append(
                EvidenceItem(
                    text=claim.text,
                    line=claim.line,
                    col=claim.col,
                    signal=ev.signal,
                    polarity=ev.polarity,
                    tier=ev.tier,
                    match=ev.text,
                    message=ev.message,
                )
            )
        learned = score.readings[crit_id]
        if learned.learned is not None and learned.tier is not None:
            items.append(
                EvidenceItem(
                    text=claim.text,
                    line=claim.line,
                    col=claim.col,
                    signal="model",
                    polarity="signal",
                    tier=learned.tier,
                    match=", ".join(learned.reasons) or "—",
                    message=f"learned reader (p={learned.learned:.2f})",
                    source="model",
                )
            )
    items.sort(key=lambda e: (e.polarity != "signal", -e.tier, e.line, e.col, e.signal))
    return items[:MAX_EVIDENCE]


def _criterion_report(
    cs: CriterionScore, gap: Gap | None, packet: PacketScore, claims: list[Claim], rubric: Rubric
) -> CriterionReport:
    crit = cs.criterion
    closest = [
        ClosestClaim(
            text=claims[c.claim].text,
            line=claims[c.claim].line,
            reads=c.reads,
            short_of=list(c.short_of),
        )
        for c in (gap.closest if gap else ())
    ]
    return CriterionReport(
        id=crit.id,
        code=crit.code,
        name=crit.name,
        core=crit.core,
        level=cs.level,
        level_name=rubric.ladder.name_of(cs.level),
        confidence=cs.confidence,
        reason=cs.reason,
        evidence=_evidence_items(cs, packet, claims),
        gap=gap.text if gap else None,
        closest=closest,
        questions=list(gap.questions) if gap else [],
    )


def _claim_reports(
    claims: list[Claim], found: list[ClaimEvidence], packet: PacketScore, rubric: Rubric
) -> list[ClaimReport]:
    codes = {c.id: c.code for c in rubric.active}
    return [
        ClaimReport(
            index=claim.index,
            text=claim.text,
            line=claim.line,
            col=claim.col,
            section=claim.section,
            kind=claim.kind,
            agency=ce.agency,
            level=score.level,
            learned_level=score.learned,
            criteria={codes[cid]: r.tier for cid, r in score.readings.items() if r.tier},
        )
        for claim, ce, score in zip(claims, found, packet.claims, strict=True)
    ]


def evaluate_packet(
    packet: Packet,
    *,
    target: int | str | None = None,
    rubric: Rubric | None = None,
    model: Model | None = None,
) -> Report:
    """Score a packet already read into memory and explain its gaps to the target level."""
    rubric = rubric or load_rubric()
    spans = segment(packet)
    found = detector_for(rubric).detect(spans)
    claim_scores = score_claims(rubric, found)
    if model is not None:
        claim_scores = model.combine(spans, found, claim_scores, rubric)
    scored = score_packet(rubric, claim_scores, model.blends if model else None)
    level = scored.level
    goal = parse_level(target) if target is not None else min(level + 1, 5)
    claims = [cs.claim for cs in spans]
    gaps = {
        cs.criterion.id: gap
        for cs in scored.criteria
        if (gap := explain_criterion(cs, scored, goal, rubric)) is not None
    }
    ordered = order_gaps(
        [(cs, gaps[cs.criterion.id]) for cs in scored.criteria if cs.criterion.id in gaps]
    )
    return Report(
        id=packet.id,
        source=packet.source,
        level=level,
        level_name=rubric.ladder.name_of(level),
        confidence=scored.confidence,
        reason=scored.reason,
        target=goal,
        target_name=rubric.ladder.name_of(goal),
        expected_level=_expected(packet),
        criteria=[
            _criterion_report(cs, gaps.get(cs.criterion.id), scored, claims, rubric)
            for cs in scored.criteria
        ],
        gap_notes=[gap_summary(gap, cs.criterion, claims) for cs, gap in ordered],
        claims=_claim_reports(claims, found, scored, rubric),
        provenance=Provenance(
            criteria_dir=Path(rubric.directory).name,
            criteria_digest=rubric.digest,
            model=model.name if model else None,
            model_digest=model.digest if model else None,
            packet_eval=package_version(),
        ),
    )


AUTO = "auto"


def resolve_model(
    model: Model | str | Path | None, rubric: Rubric, *, strict: bool = False
) -> Model | None:
    """Return the model to read with: a loaded one, one loaded from a path, the bundled one
    when `model` is "auto" (None if none is shipped), or None for the rule-only reading."""
    from packet_eval.classifying import Model as LoadedModel
    from packet_eval.classifying import load_model
    from packet_eval.resources import default_model_dir

    if model is None or isinstance(model, LoadedModel):
        return model
    if str(model) == AUTO:
        bundled = default_model_dir()
        if not (bundled / "reader.json").is_file():
            return None
        return load_model(bundled, rubric, strict=strict)
    return load_model(model, rubric, strict=strict)


def evaluate(
    source: str | Path | Packet,
    *,
    text: str | None = None,
    target: int | str | None = None,
    criteria: str | Path | None = None,
    model: Model | str | Path | None = AUTO,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Report:
    """Read, score and explain one packet: a path ('-' for stdin), a Packet, or `text=`.

    `model` is "auto" (the bundled learned reader when present), a model directory, a loaded
    model, or None for the rule-only reading.
    """
    if isinstance(source, Packet):
        packet = source
    elif text is not None:
        packet = packet_from_text(text, str(source))
    else:
        packet = read_path(source, max_bytes=max_bytes)
    rubric = load_rubric(criteria)
    return evaluate_packet(packet, target=target, rubric=rubric, model=resolve_model(model, rubric))
