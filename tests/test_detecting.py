from __future__ import annotations

import pytest

from packet_eval.detecting import detector_for
from packet_eval.reading import packet_from_text
from packet_eval.segmenting import segment


def _read(rubric, text: str):  # type: ignore[no-untyped-def]
    claims = segment(packet_from_text(text, "t.md"))
    return detector_for(rubric).detect(claims)[0]


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("I redesigned the retry logic for the payment service.", "own"),
        ("- Redesigned the retry logic for the payment service.", "own"),
        ("- Closed 27 tickets from the team backlog.", "own"),
        ("We redesigned the retry logic for the payment service.", "team"),
        ("We redesigned the retry logic; my part was the backoff policy.", "own"),
        ("The retry logic was redesigned last quarter.", "passive"),
        ("The payment service has retries.", "unstated"),
    ],
)
def test_detecting_agency(rubric, text: str, agency: str) -> None:
    assert _read(rubric, text).agency == agency


def test_detecting_participation_verb_is_an_anti_signal(rubric) -> None:
    found = _read(rubric, "- Helped migrate the billing jobs to the new scheduler.")
    assert ("participation", "anti") in {(e.signal, e.polarity) for e in found.active()}


def test_detecting_negation_voids_the_signal(rubric) -> None:
    plain = _read(rubric, "I noticed the drift before launch.")
    negated = _read(rubric, "I never noticed the drift before launch.")
    assert any(e.signal == "own-initiative" and not e.negated for e in plain.evidence)
    assert all(e.negated for e in negated.evidence if e.signal == "own-initiative")
    assert not any(e.signal == "own-initiative" for e in negated.active())


def test_detecting_team_claim_signal_needs_team_agency(rubric) -> None:
    own = _read(rubric, "I cut our p95 latency in half.")
    team = _read(rubric, "Our team cut p95 latency in half.")
    assert "team-only" not in {e.signal for e in own.active()}
    assert "team-only" in {e.signal for e in team.active()}


def test_detecting_offsets_cover_the_matched_words(rubric) -> None:
    text = "We shipped it; my part was the cache."
    found = _read(rubric, text)
    for ev in found.evidence:
        assert text[ev.start : ev.end] == ev.text


def test_detecting_negation_stops_at_the_clause(rubric) -> None:
    found = _read(rubric, "It was not my idea, but I noticed the drift before launch.")
    assert any(e.signal == "own-initiative" and not e.negated for e in found.evidence)


def test_detecting_a_clean_match_outlives_an_earlier_negated_one(rubric) -> None:
    found = _read(rubric, "I never noticed it at first; later I noticed the drift and fixed it.")
    assert "own-initiative" in {e.signal for e in found.active()}


def test_detecting_level_cues_match_on_lemmas_and_phrases(rubric) -> None:
    found = _read(rubric, "- Mentored two new hires while steering a division-wide roadmap.")
    assert {"multiplier", "reach-teams", "direction"} <= set(found.cues)
    assert found.cues == tuple(sorted(found.cues))
    # Cues are features for the learned reader, never rule evidence.
    assert all(not ev.signal.startswith("CUE") for ev in found.evidence)


def test_detecting_a_claim_without_cue_words_has_no_cues(rubric) -> None:
    assert _read(rubric, "- Renamed a variable.").cues == ()
