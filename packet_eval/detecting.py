"""Find rule evidence in claims with matchers compiled from the criteria files.

Building the matchers (once per rubric) is apart from running them. Besides the criteria's own
patterns, the detector reads each claim's agency from the lexicon: whether the author acted
("I", or a bullet that opens with a verb), the team did ("we", "our"), or nobody is named
(passive voice), so that signals can require the author's own agency.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from packet_eval.criteria import Rubric, Signal
from packet_eval.errors import CriteriaError
from packet_eval.matching import TokenPatterns
from packet_eval.segmenting import ClaimSpan, make_nlp

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc, Span

Agency = Literal["own", "team", "passive", "unstated"]
CUE = "CUE_"  # the match-key prefix of level cues (cues.yaml)
Polarity = Literal["signal", "anti"]


class Evidence(BaseModel):
    """One rule hit: which signal, on which claim, over which words."""

    model_config = ConfigDict(frozen=True)

    criterion: str
    signal: str
    polarity: Polarity
    tier: int
    weight: float
    message: str
    claim: int
    text: str
    start: int
    end: int
    negated: bool = False


class ClaimEvidence(BaseModel):
    """A claim's agency, every rule hit on it, and the level-cue classes its words belong to."""

    model_config = ConfigDict(frozen=True)

    claim: int
    agency: Agency
    evidence: tuple[Evidence, ...]
    cues: tuple[str, ...] = ()

    def active(self) -> list[Evidence]:
        return [ev for ev in self.evidence if not ev.negated]


@dataclass
class Detector:
    """Compiled matchers for one rubric; `detect` runs them over segmented claims."""

    rubric: Rubric
    matcher: TokenPatterns
    phrases: PhraseMatcher
    lemma_phrases: PhraseMatcher
    lexicon: PhraseMatcher
    cues: PhraseMatcher
    signals: dict[str, tuple[str, Signal]]

    def detect(self, claims: list[ClaimSpan]) -> list[ClaimEvidence]:
        """Return the agency and evidence of every claim, in claim order."""
        hits: dict[int, list[tuple[str, int, int]]] = {}
        for doc, members in _by_doc(claims):
            starts = [cs.span.start for cs in members]
            for key, start, end in self._matches(doc):
                owner = members[bisect_right(starts, start) - 1]
                if end <= owner.span.end:
                    hits.setdefault(owner.claim.index, []).append((key, start, end))
        return [self._read_claim(cs, sorted(hits.get(cs.claim.index, []))) for cs in claims]

    def _matches(self, doc: Doc) -> set[tuple[str, int, int]]:
        found = self.matcher(doc)
        for matcher in (self.phrases, self.lemma_phrases, self.lexicon, self.cues):
            for match_id, start, end in matcher(doc):
                found.add((doc.vocab.strings[match_id], start, end))
        return found

    def _read_claim(self, cs: ClaimSpan, hits: list[tuple[str, int, int]]) -> ClaimEvidence:
        span = cs.span
        doc = span.doc
        lexical = {(key, start) for key, start, _ in hits if key.startswith("LEX_")}
        agency = self.agency(span, lexical)
        window = self.rubric.lexicon.negation_window
        negators = set(self.rubric.lexicon.negators)
        offset = span.start_char
        cues = sorted({key.removeprefix(CUE) for key, _, _ in hits if key.startswith(CUE)})
        found: dict[str, Evidence] = {}
        for key, start, end in sorted(hits, key=lambda h: (h[1], h[2], h[0])):
            if key.startswith(("LEX_", CUE)):
                continue
            crit_id, sig = self.signals[key]
            earlier = found.get(sig.id)
            if (earlier is not None and not earlier.negated) or not _agency_fits(sig, agency):
                continue
            matched = doc[start:end]
            found[sig.id] = Evidence(
                criterion=crit_id,
                signal=sig.id,
                polarity=sig.polarity,
                tier=sig.tier,
                weight=sig.weight,
                message=sig.message,
                claim=cs.claim.index,
                text=matched.text,
                start=matched.start_char - offset,
                end=matched.end_char - offset,
                negated=_negated(doc[max(span.start, start - window) : start], negators),
            )
        fired = {sid for sid, ev in found.items() if not ev.negated and ev.polarity == "signal"}
        kept = [
            ev
            for ev in found.values()
            if not (ev.polarity == "anti" and fired.intersection(self.signals_unless(ev)))
        ]
        kept.sort(key=lambda ev: (ev.start, ev.criterion, ev.signal))
        return ClaimEvidence(
            claim=cs.claim.index, agency=agency, evidence=tuple(kept), cues=tuple(cues)
        )

    def signals_unless(self, ev: Evidence) -> list[str]:
        return self.signals[f"{ev.criterion}/{ev.signal}"][1].unless

    def agency(self, span: Span, lexical: set[tuple[str, int]]) -> Agency:
        """Read who acted in a claim: the author, the team, nobody named, or no one."""
        lex = self.rubric.lexicon
        labels = {key for key, _ in lexical}
        if "LEX_SINGULAR" in labels or "LEX_OWN_PART" in labels:
            return "own"
        first = next((t for t in span if t.is_alpha), None)
        opens_with_verb = first is not None and (
            first.lemma_.lower() in lex.agency_verbs
            or (
                first.lower_.endswith(lex.past_tense_suffix)
                and first.lemma_.lower() != first.lower_
            )
        )
        if opens_with_verb and first is not None and ("LEX_PLURAL", first.i) not in lexical:
            return "own"
        if "LEX_PLURAL" in labels:
            return "team"
        if _is_passive(span, set(lex.passive_auxiliaries), set(lex.irregular_participles)):
            return "passive"
        return "unstated"


def _by_doc(claims: list[ClaimSpan]) -> list[tuple[Doc, list[ClaimSpan]]]:
    groups: dict[int, tuple[Doc, list[ClaimSpan]]] = {}
    for cs in claims:
        groups.setdefault(id(cs.span.doc), (cs.span.doc, []))[1].append(cs)
    return list(groups.values())


def _negated(before: Span, negators: set[str]) -> bool:
    """Return whether a negator governs a match: one in the window, in the same clause."""
    for tok in reversed(before):
        if tok.is_punct and tok.text != "-":
            return False
        if tok.lower_ in negators:
            return True
    return False


def _is_passive(span: Span, auxiliaries: set[str], irregular: set[str]) -> bool:
    tokens = list(span)
    for i, tok in enumerate(tokens[:-1]):
        if tok.lower_ not in auxiliaries:
            continue
        for nxt in tokens[i + 1 : i + 3]:
            word = nxt.lower_
            if (word.endswith("ed") and len(word) > 4) or word in irregular:
                return True
    return False


def _agency_fits(sig: Signal, agency: Agency) -> bool:
    if sig.agency == "any":
        return True
    if sig.agency == "not-own":
        return agency != "own"
    return sig.agency == agency


def _phrase_docs(nlp: Language, phrases: Iterable[str], lemma: bool) -> list:
    return list(nlp.pipe(phrases)) if lemma else [nlp.make_doc(p) for p in phrases]


def build_detector(rubric: Rubric, nlp: Language | None = None) -> Detector:
    """Compile a rubric's patterns and phrases into matchers."""
    from spacy.matcher import PhraseMatcher

    nlp = nlp or make_nlp()
    matcher = TokenPatterns()
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    lemma_phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
    signals: dict[str, tuple[str, Signal]] = {}
    for crit in rubric.active:
        for sig in crit.signals:
            if sig.weight == 0:
                continue
            key = f"{crit.id}/{sig.id}"
            signals[key] = (crit.id, sig)
            _add_patterns(matcher, key, sig, crit.id, rubric, nlp)
            target = lemma_phrases if sig.phrase_attr == "LEMMA" else phrases
            if sig.phrases:
                target.add(key, _phrase_docs(nlp, sig.phrases, sig.phrase_attr == "LEMMA"))
    lexicon = PhraseMatcher(nlp.vocab, attr="LOWER")
    lex = rubric.lexicon
    lexicon.add("LEX_SINGULAR", _phrase_docs(nlp, lex.first_person_singular, False))
    lexicon.add("LEX_PLURAL", _phrase_docs(nlp, lex.first_person_plural, False))
    lexicon.add("LEX_OWN_PART", _phrase_docs(nlp, lex.own_part, False))
    cues = PhraseMatcher(nlp.vocab, attr="LEMMA")
    for name, cue in rubric.cues.classes.items():
        cues.add(CUE + name, _phrase_docs(nlp, cue.words, True))
    return Detector(rubric, matcher, phrases, lemma_phrases, lexicon, cues, signals)


def _add_patterns(
    matcher: TokenPatterns, key: str, sig: Signal, crit_id: str, rubric: Rubric, nlp: Language
) -> None:
    if not sig.patterns:
        return
    try:
        matcher.add(key, sig.patterns, nlp.vocab)
    except (ValueError, KeyError, re.error) as exc:
        where = f"{rubric.directory}/{crit_id}.yaml"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise CriteriaError(f"{where}: signals.{sig.id}.patterns: {first}") from exc


_DETECTORS: dict[tuple[str, str], Detector] = {}


def detector_for(rubric: Rubric) -> Detector:
    """Return the compiled detector of a rubric, built once per process."""
    key = (rubric.directory, rubric.digest)
    if key not in _DETECTORS:
        _DETECTORS[key] = build_detector(rubric)
    return _DETECTORS[key]
