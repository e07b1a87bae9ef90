"""Check that a rubric's labelled examples read as labelled: the criteria files' own tests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from packet_eval.criteria import Rubric
from packet_eval.detecting import detector_for
from packet_eval.reading import packet_from_text
from packet_eval.scoring import read
from packet_eval.segmenting import segment


class Misread(BaseModel):
    """An example that does not read as its label says."""

    model_config = ConfigDict(frozen=True)

    criterion: str
    kind: str
    text: str
    expected: str
    found: str


def _evidence_of(rubric: Rubric, text: str) -> list:
    claims = segment(packet_from_text(text, "<example>"))
    found = detector_for(rubric).detect(claims)
    return [ev for ce in found for ev in ce.evidence]


def misread_examples(rubric: Rubric) -> list[Misread]:
    """Return every criterion example and signal example that reads otherwise than labelled."""
    out: list[Misread] = []
    for crit in rubric.active:
        for ex in crit.examples:
            evs = [ev for ev in _evidence_of(rubric, ex.text) if ev.criterion == crit.id]
            reading = read(evs)
            if reading.strong != (ex.reads == "strong"):
                hits = ", ".join(f"{e.signal}:{e.tier}" for e in evs if not e.negated) or "no hits"
                out.append(
                    Misread(
                        criterion=crit.id,
                        kind="example",
                        text=ex.text,
                        expected=ex.reads,
                        found=f"tier {reading.tier}; hits {hits}",
                    )
                )
        for sig in crit.signals:
            for text in sig.examples:
                evs = _evidence_of(rubric, text)
                if not any(ev.signal == sig.id and not ev.negated for ev in evs):
                    hits = ", ".join(e.signal for e in evs) or "no hits"
                    out.append(
                        Misread(
                            criterion=crit.id,
                            kind=f"signal {sig.id}",
                            text=text,
                            expected=f"fires {sig.id}",
                            found=f"hits {hits}",
                        )
                    )
    return out
