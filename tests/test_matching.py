"""The indexed matcher must find exactly what spaCy's Matcher finds for the same patterns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packet_eval.matching import TokenPatterns

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["lead", "leads", "led", "team", "Team", "the", "every", "3", "two", "-", ".", "on-call"]


def _spacy_matcher(nlp, patterns: dict[str, list]):  # type: ignore[no-untyped-def]
    from spacy.matcher import Matcher

    matcher = Matcher(nlp.vocab, validate=True)
    for key, pats in patterns.items():
        matcher.add(key, pats)
    return lambda doc: {(nlp.vocab.strings[m], s, e) for m, s, e in matcher(doc)}


def _spacy_matches(nlp, patterns: dict[str, list], doc) -> set[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    return _spacy_matcher(nlp, patterns)(doc)


def _ours(nlp, patterns: dict[str, list]) -> TokenPatterns:  # type: ignore[no-untyped-def]
    ours = TokenPatterns()
    for key, pats in patterns.items():
        ours.add(key, pats, nlp.vocab)
    return ours


def _bundled_patterns(rubric) -> dict[str, list]:  # type: ignore[no-untyped-def]
    return {
        f"{crit.id}/{sig.id}": sig.patterns
        for crit in rubric.active
        for sig in crit.signals
        if sig.patterns
    }


def test_matching_finds_what_spacy_finds_for_the_bundled_criteria(nlp, rubric) -> None:  # type: ignore[no-untyped-def]
    patterns = _bundled_patterns(rubric)
    ours, theirs = _ours(nlp, patterns), _spacy_matcher(nlp, patterns)
    assert ours.fallback is None, "every bundled pattern should take the indexed path"
    lines = (ROOT / "corpus/dev/ladders.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.md"))]
    total = 0
    for doc in nlp.pipe(texts):
        expected = theirs(doc)
        assert ours(doc) == expected, doc.text[:80]
        total += len(expected)
    assert total > 1000  # the comparison covered real matches, not empty sets


_VALUE = st.sampled_from([w.lower() for w in WORDS] + ["lead", "team"])
_STRING = st.one_of(
    _VALUE,
    st.builds(lambda ws: {"IN": ws}, st.lists(_VALUE, min_size=1, max_size=3)),
    st.builds(lambda ws: {"NOT_IN": ws}, st.lists(_VALUE, min_size=1, max_size=3)),
    st.sampled_from([{"REGEX": "^le"}, {"REGEX": r"\d"}, {"REGEX": "m$"}]),
)
_TOKEN = st.one_of(
    st.builds(lambda k, v: {k: v}, st.sampled_from(["LOWER", "LEMMA", "ORTH"]), _STRING),
    st.builds(
        lambda k, v: {k: v},
        st.sampled_from(["IS_ALPHA", "LIKE_NUM", "IS_PUNCT", "IS_SENT_START", "IS_TITLE"]),
        st.booleans(),
    ),
    st.just({}),
)
_OP = st.sampled_from([None, "?", "*", "+", "!", "{0,2}", "{1,3}", "{2}", "{2,}", "{,2}"])


def _with_op(token: dict[str, Any], op: str | None) -> dict[str, Any]:
    return token if op is None else {**token, "OP": op}


_PATTERN = st.lists(st.builds(_with_op, _TOKEN, _OP), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    patterns=st.lists(_PATTERN, min_size=1, max_size=3),
    words=st.lists(st.sampled_from(WORDS), max_size=12),
)
def test_matching_agrees_with_spacy_on_random_patterns(nlp, patterns, words) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(" ".join(words))
    by_key = {"A": patterns[:1], "B": patterns[1:]} if len(patterns) > 1 else {"A": patterns}
    assert _ours(nlp, by_key)(doc) == _spacy_matches(nlp, by_key, doc)


def test_matching_hands_patterns_it_cannot_read_to_spacy(nlp) -> None:  # type: ignore[no-untyped-def]
    patterns = {"K": [[{"LENGTH": {">=": 3}}, {"LOWER": "team"}], [{"LOWER": "the"}]]}
    ours = _ours(nlp, patterns)
    assert ours.fallback is not None and len(ours.patterns) == 1
    doc = nlp("lead the team")
    assert ours(doc) == _spacy_matches(nlp, patterns, doc) == {("K", 1, 2), ("K", 1, 3)}


@pytest.mark.parametrize(
    "pattern",
    [[{"LOWER": {"IN": "abc"}}], [{"LOWER": "a", "OP": "x"}], [{"LOWER": {"REGEX": "("}}]],
)
def test_matching_refuses_a_malformed_pattern(nlp, pattern) -> None:  # type: ignore[no-untyped-def]
    import re

    with pytest.raises((ValueError, re.error)):
        _ours(nlp, {"K": [pattern]})
