"""Turn a claim into named features for the learned reader: words, level cues, rule hits,
agency, shape.

The same function serves training and scoring, so a feature means the same thing in both.
Feature names are readable on purpose: the report quotes the strongest of them as reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import TYPE_CHECKING

from packet_eval.detecting import ClaimEvidence
from packet_eval.scoring import read

if TYPE_CHECKING:
    from spacy.tokens import Span

LENGTH_BUCKETS = ((5, "short"), (12, "medium"), (25, "long"))


def _word(tok: object) -> str | None:
    from spacy.tokens import Token

    assert isinstance(tok, Token)
    if tok.like_num or tok.is_digit:
        return "<num>"
    if tok.is_alpha:
        return tok.lemma_.lower()
    if tok.text in {"%", "$", "€", "£"}:
        return tok.text
    return None


def _length(n: int) -> str:
    for limit, name in LENGTH_BUCKETS:
        if n <= limit:
            return name
    return "very-long"


def featurize(span: Span, found: ClaimEvidence) -> list[str]:
    """Return the sorted, de-duplicated feature names of one claim."""
    words = [w for w in (_word(t) for t in span) if w is not None]
    feats = {f"w:{w}" for w in words}
    feats.update(f"b:{a}_{b}" for a, b in pairwise(words))
    if words:
        feats.add(f"first:{words[0]}")
    feats.add(f"agency:{found.agency}")
    feats.update(f"cue:{name}" for name in found.cues)
    feats.add(f"len:{_length(len(words))}")
    by_crit: dict[str, list] = {}
    for ev in found.evidence:
        if ev.negated:
            feats.add(f"neg:{ev.signal}")
            continue
        feats.add(f"{'rule' if ev.polarity == 'signal' else 'anti'}:{ev.signal}")
        by_crit.setdefault(ev.criterion, []).append(ev)
    for crit, evs in by_crit.items():
        reading = read(evs)
        if reading.tier is not None:
            feats.add(f"tier:{crit}:{reading.tier}")
    return sorted(feats)


def describe(feature: str, cues: Mapping[str, str] | None = None) -> str | None:
    """Return a feature as a reader would say it ('b:other_team' -> 'other team'), or None
    for one that explains nothing on its own (a stop word, a number, the claim's length).
    `cues` names each level-cue class by what its words have in common."""
    from spacy.lang.en.stop_words import STOP_WORDS

    kind, _, name = feature.partition(":")
    if kind in {"w", "b", "first"}:
        words = name.split("_")
        if all(w in STOP_WORDS or not w.isalpha() for w in words):
            return None
        return " ".join("N" if w == "<num>" else w for w in words)
    if kind in {"rule", "anti"}:
        return f"{'rule' if kind == 'rule' else 'anti-signal'} {name}"
    if kind == "cue":
        return f"words for {(cues or {}).get(name, name.replace('-', ' '))}"
    if kind == "tier":
        crit, _, tier = name.rpartition(":")
        return f"rules read {crit} at L{tier}"
    return None
