"""Read a bullet with the scoring engine and tag what holds it back, from criteria/rewrites.yaml.

A bullet is read by the same steps as a packet (those of `evaluate_packet`, on the bullet alone);
each diagnosis tag carries the words that trigger it and a one-line why, worded in the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from packet_eval.criteria import Rubric
from packet_eval.detecting import Agency, Evidence, detector_for
from packet_eval.reading import packet_from_text
from packet_eval.recasting import is_verbish, passive_at
from packet_eval.rewrite_rules import DiagnosisRule, RewriteRules
from packet_eval.rewrite_schema import Finding, Strength
from packet_eval.scoring import score_claims, score_packet
from packet_eval.segmenting import make_nlp, segment

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Span

    from packet_eval.classifying import Model

STRONG = 3  # the tier at which a reading counts as strong (as scoring.Reading.strong)


@dataclass(frozen=True)
class Reading:
    """A bullet as the engine reads it."""

    text: str
    tokens: Span
    evidence: tuple[Evidence, ...]
    first: tuple[Evidence, ...]
    agency: Agency
    level: int
    tiers: dict[str, int]

    @property
    def words(self) -> int:
        return sum(1 for t in self.tokens if not (t.is_punct or t.is_space))


@dataclass
class Diagnoser:
    """Read and diagnose bullets with one rubric, one set of rewrite rules and one model."""

    rubric: Rubric
    rules: RewriteRules
    model: Model | None = None
    _readings: dict[str, Reading | None] = field(default_factory=dict, repr=False)

    @cached_property
    def phrases(self) -> PhraseMatcher:
        from spacy.matcher import PhraseMatcher

        nlp = make_nlp()
        matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for rule in self.rules.diagnoses:
            if rule.phrases:
                matcher.add(rule.tag, [nlp.make_doc(p) for p in rule.phrases])
        return matcher

    def level_of(self, text: str) -> int:
        """Return the level a text reads at on its own."""
        reading = self.read(text)
        return reading.level if reading is not None else self.rubric.ladder.scoring.floor

    def read(self, text: str) -> Reading | None:
        """Read a bullet: its evidence, agency, level and criterion tiers (None if no claim)."""
        if text not in self._readings:
            self._readings[text] = self._read(text)
        return self._readings[text]

    def _read(self, text: str) -> Reading | None:
        packet = packet_from_text(text, "<bullet>")
        spans = segment(packet)
        if not spans:
            return None
        found = detector_for(self.rubric).detect(spans)
        # evaluate_packet's own scoring steps, run on the evidence found once (the matcher is
        # most of the cost); a test holds the level equal to evaluate_packet's.
        claims = score_claims(self.rubric, found)
        if self.model is not None:
            claims = self.model.combine(spans, found, claims, self.rubric)
        scored = score_packet(self.rubric, claims, self.model.blends if self.model else None)
        tiers: dict[str, int] = {}
        for claim in scored.claims:
            for cid, reading in claim.readings.items():
                if reading.tier:
                    tiers[cid] = max(reading.tier, tiers.get(cid, 0))
        doc = spans[0].span.doc
        return Reading(
            text=text,
            tokens=doc[spans[0].span.start : spans[-1].span.end],
            evidence=tuple(ev for ce in found for ev in ce.active()),
            first=found[0].evidence,
            agency=found[0].agency,
            level=scored.level,
            tiers=tiers,
        )

    def not_a_claim(self, reading: Reading | None) -> str | None:
        """Return why a bullet is not a claim, or None when it is one."""
        messages, lex = self.rules.messages, self.rubric.lexicon
        if reading is None or reading.words < self.rules.limits.min_words:
            return messages.too_short
        cue = any(is_verbish(t, lex) for t in reading.tokens)
        persons = set(lex.first_person_singular) | set(lex.first_person_plural)
        cue = cue or any(t.lower_ in persons for t in reading.tokens)
        if cue or reading.evidence or self.phrases(reading.tokens.as_doc()):
            return None
        return messages.not_a_claim

    # --- diagnosis -------------------------------------------------------------------------

    def diagnose(self, reading: Reading) -> list[Finding]:
        """Tag what holds a bullet back, each with the words that trigger it."""
        return [f for rule in self.rules.diagnoses if (f := self._finding(rule, reading))]

    def _finding(self, rule: DiagnosisRule, reading: Reading) -> Finding | None:
        live = [ev for ev in reading.evidence if ev.polarity == "signal"]
        if any(ev.signal in rule.unless for ev in live):
            return None
        if rule.without_substance and any(ev.tier >= STRONG for ev in live):
            return None
        ev = next((e for e in reading.evidence if e.signal in rule.signals), None)
        if ev is not None:
            return self._found(rule, reading, ev.text, ev.signal)
        hit = self._phrase(rule, reading)
        if hit is not None:
            return self._found(rule, reading, hit)
        if rule.agency is not None and reading.agency == rule.agency:
            return self._found(rule, reading, self._agency_span(reading))
        if rule.max_words is not None and reading.words > rule.max_words:
            return self._found(rule, reading, None)  # the whole bullet: no words to point at
        if rule.missing and not self._shows(reading, rule.missing, rule.missing_tier):
            return self._found(rule, reading, None)
        return None

    def _found(
        self, rule: DiagnosisRule, reading: Reading, span: str | None, signal: str | None = None
    ) -> Finding:
        start = reading.text.find(span) if span else -1
        return Finding(
            tag=rule.tag,
            label=rule.label,
            span=span,
            start=start if start >= 0 else None,
            end=start + len(span) if span and start >= 0 else None,
            why=rule.why,
            signal=signal,
        )

    def _phrase(self, rule: DiagnosisRule, reading: Reading) -> str | None:
        if not rule.phrases:
            return None
        doc = reading.tokens.as_doc()
        key = doc.vocab.strings[rule.tag]
        hits = sorted((s, e) for k, s, e in self.phrases(doc) if k == key)
        return doc[hits[0][0] : hits[0][1]].text if hits else None

    def _agency_span(self, reading: Reading) -> str | None:
        found = passive_at(list(reading.tokens), self.rubric.lexicon)
        if found is None:
            return None
        return reading.tokens[found[0] : found[1] + 1].text

    @staticmethod
    def _shows(reading: Reading, criteria: Sequence[str], tier: int) -> bool:
        return any(reading.tiers.get(c, 0) >= tier for c in criteria)

    def strengths(self, reading: Reading) -> list[Strength]:
        codes = {c.id: c.code for c in self.rubric.criteria}
        best: dict[str, Evidence] = {}
        for ev in reading.evidence:
            if ev.polarity == "signal" and ev.tier >= STRONG and ev.signal not in best:
                best[ev.signal] = ev
        ranked = sorted(best.values(), key=lambda ev: (-ev.tier, ev.start))
        return [
            Strength(
                code=codes[ev.criterion],
                signal=ev.signal,
                tier=ev.tier,
                match=ev.text,
                message=ev.message,
            )
            for ev in ranked
        ]
