"""Propose stronger versions of weak bullets, inventing no facts.

Each rewrite is the bullet recast so that its author acts (recasting.py), plus clauses whose
facts are slots for the writer, aimed at one criterion (criteria/rewrites.yaml). It is scored
with its slots filled by neutral placeholders, and dropped if it reads lower than the bullet or
carries a number, name, quoted term or word that is not in the bullet, the answers or the rules
(fact_checking.py). The interactive session that fills the slots is interviewing.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from packet_eval.diagnosing import STRONG, Diagnoser, Reading
from packet_eval.fact_checking import WORD, check_no_invented_facts
from packet_eval.reading import Packet
from packet_eval.recasting import Draft, recast
from packet_eval.rewrite_schema import (
    BulletReview,
    Final,
    Finding,
    Question,
    Rewrite,
    RewriteProvenance,
    RewriteReport,
)
from packet_eval.segmenting import blocks_of, segment

__all__ = ["Candidate", "Rewriter", "check_no_invented_facts"]


@dataclass(frozen=True)
class Candidate:
    """A rewrite as shown, and as scored (its slots filled with placeholders)."""

    rewrite: Rewrite
    filled: str


@dataclass
class Rewriter(Diagnoser):
    """Diagnose bullets, and rewrite the weak ones."""

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word the rules themselves may add to a bullet."""
        recast = self.rules.recast
        texts = [recast.noun_phrase, recast.verb_phrase, *recast.irregular_past.values()]
        texts += [s.clause for s in self.rules.slots.values() if s.clause]
        return frozenset(w for t in texts for w in WORD.findall(re.sub(r"\{\w*\}", " ", t)))

    # --- rewrites --------------------------------------------------------------------------

    def aims(self, reading: Reading, findings: Sequence[Finding]) -> list[str]:
        """Return the criteria to aim rewrites at: the tags' first, then the weakest."""
        order: list[str] = []
        for f in findings:
            order += [c for c in self.rules.diagnosis(f.tag).aims if c not in order]
        order += sorted(
            (c for c in self.rules.rewrites if c not in order),
            key=lambda c: reading.tiers.get(c, 0),
        )
        return [c for c in order if c in self.rules.rewrites and reading.tiers.get(c, 0) < 4]

    def base(self, reading: Reading, findings: Sequence[Finding]) -> Draft:
        """Return the bullet recast so its author acts, with the author's part as a slot."""
        lex = self.rubric.lexicon
        draft = recast(list(reading.tokens), reading.first, reading.agency, self.rules, lex)
        tags = {f.tag for f in findings}
        if draft.holes() or not tags & set(self.rules.recast.own_part_tags):
            return draft
        return draft.requiring(self.rules.recast.own_part_slot, self.rules)

    def drafts(self, reading: Reading, findings: Sequence[Finding]) -> list[tuple[str, Draft]]:
        """Return one draft per criterion aimed at, in order."""
        base = self.base(reading, findings)
        tags = {f.tag for f in findings}
        out = []
        for crit in self.aims(reading, findings):
            slots = [s.slot for s in self.rules.rewrites[crit] if s.when is None or s.when in tags]
            out.append((crit, base.with_clauses(slots, self.rules)))
        return out

    def label(self, slot: str) -> str:
        return f"[{self.rules.slots[slot].label}]"

    def placeholder(self, slot: str) -> str:
        return self.rules.slots[slot].placeholder

    def candidates(self, reading: Reading, findings: Sequence[Finding]) -> list[Candidate]:
        """Return every rewrite the rules can build for a bullet, scored, before any check."""
        out = []
        for crit_id, draft in self.drafts(reading, findings):
            crit = self.rubric.criterion(crit_id)
            filled = draft.render(self.placeholder)
            level = self.level_of(filled)
            rewrite = Rewrite(
                text=draft.render(self.label),
                level=level,
                level_name=self.rubric.ladder.name_of(level),
                criterion=crit.id,
                code=crit.code,
                needs=[self.rules.slots[s].label for s in draft.slots()],
            )
            out.append(Candidate(rewrite, filled))
        return out

    def invented(self, original: str, answers: Iterable[str], text: str) -> list[str]:
        """Return what a text adds to a bullet and its answers (see check_no_invented_facts)."""
        labels = self.rules.labels()
        return check_no_invented_facts(
            original, answers, text, slots=labels, vocabulary=self.vocabulary
        )

    def _fixes(self, reading: Reading, findings: Sequence[Finding], filled: str) -> bool:
        after = self.read(filled)
        left = {f.tag for f in self.diagnose(after)} if after is not None else set()
        return bool({f.tag for f in findings} - left)

    def select(
        self, reading: Reading, findings: Sequence[Finding], candidates: Sequence[Candidate]
    ) -> list[Rewrite]:
        """Keep rewrites that invent nothing and read higher than the bullet, or as high while
        curing one of its tags."""
        kept: list[Rewrite] = []
        for cand in candidates:
            rw = cand.rewrite
            if rw.level < reading.level or rw.text in {reading.text, *(k.text for k in kept)}:
                continue
            if rw.level == reading.level and not self._fixes(reading, findings, cand.filled):
                continue
            if not self.invented(reading.text, (), rw.text):
                kept.append(rw)
        return kept[: self.rules.limits.max_rewrites]

    def questions(
        self, reading: Reading, findings: Sequence[Finding], rewrites: Sequence[Rewrite]
    ) -> list[Question]:
        """Return the questions whose answers fill the slots, biggest gaps first: the recast
        bullet's own, then those of the rewrites shown, then of the other criteria aimed at."""
        limits = self.rules.limits
        by_label = {s.label: key for key, s in self.rules.slots.items()}
        shown = [by_label[n] for r in rewrites for n in r.needs]
        slots = list(dict.fromkeys([*self.base(reading, findings).slots(), *shown]))
        for _, draft in self.drafts(reading, findings):
            if len(slots) >= limits.min_questions:
                break
            slots += [s for s in draft.slots() if s not in slots]
        return [
            Question(slot=s, label=self.rules.slots[s].label, ask=self.rules.slots[s].ask)
            for s in slots[: limits.max_questions]
        ]

    # --- one bullet, one packet ------------------------------------------------------------

    def review(self, text: str, *, index: int = 0, line: int = 1) -> BulletReview:
        """Diagnose one bullet and propose rewrites, or say why to keep it (or skip it)."""
        reading = self.read(text)
        problem = self.not_a_claim(reading)
        if problem is not None or reading is None:
            return BulletReview(index=index, line=line, text=text, claim=False, message=problem)
        findings = self.diagnose(reading)
        head = {
            "index": index,
            "line": line,
            "text": text,
            "claim": True,
            "level": reading.level,
            "level_name": self.rubric.ladder.name_of(reading.level),
            "strengths": self.strengths(reading),
            "diagnosis": findings,
        }
        messages = self.rules.messages
        if not findings and reading.level >= 4:
            return BulletReview(**head, keep=True, message=messages.keep)
        rewrites = self.select(reading, findings, self.candidates(reading, findings))
        if rewrites:
            asks = self.questions(reading, findings, rewrites)
            return BulletReview(**head, rewrites=rewrites, questions=asks)
        if reading.level >= STRONG:
            return BulletReview(**head, keep=True, message=messages.nothing_to_add)
        asks = self.questions(reading, findings, [])
        return BulletReview(**head, message=messages.no_rewrite, questions=asks)

    def nothing_to_rewrite(self, report: RewriteReport) -> str | None:
        """Return why a report has no claim to rewrite, or None when it has one."""
        if any(b.claim for b in report.bullets):
            return None
        if len(report.bullets) == 1 and report.bullets[0].message:
            return report.bullets[0].message
        return self.rules.messages.no_claims

    def _no_claim(self, packet: Packet) -> list[BulletReview]:
        """Explain a packet the segmenter found no claim in: a fragment, or only headings."""
        blocks = blocks_of(packet)
        if not blocks:
            return []
        text = " ".join(b.text.strip() for b in blocks)
        return [
            BulletReview(index=0, line=1, text=text, claim=False, message=self.not_a_claim(None))
        ]

    def review_packet(self, packet: Packet) -> RewriteReport:
        """Review every bullet or sentence of a packet, in order."""
        bullets = [
            self.review(cs.claim.text, index=i, line=cs.claim.line)
            for i, cs in enumerate(segment(packet))
        ] or self._no_claim(packet)
        return RewriteReport(
            bullets=bullets,
            source=packet.source,
            provenance=RewriteProvenance(
                criteria_digest=self.rubric.digest,
                rewrites_file=self.rules.path.rsplit("/", 1)[-1],
                model=self.model.name if self.model else None,
                model_digest=self.model.digest if self.model else None,
            ),
        )

    # --- interactive -----------------------------------------------------------------------

    def compose(self, bullet: BulletReview, answers: dict[str, str], *, complete: bool) -> Final:
        """Compose a bullet from the writer's answers; unanswered slots are left out."""
        reading = self.read(bullet.text)
        if reading is None:
            raise ValueError("compose needs a bullet that is a claim")
        findings = list(bullet.diagnosis)
        draft = self.base(reading, findings).with_clauses(list(answers), self.rules)
        text = draft.render(lambda slot: answers.get(slot) or None)
        if self.invented(bullet.text, answers.values(), text):
            text = bullet.text  # never reached by construction; never ship an invented fact
        after = self.read(text)
        level = after.level if after is not None else reading.level
        return Final(
            text=text,
            level=level,
            level_name=self.rubric.ladder.name_of(level),
            answers=dict(answers),
            remaining=self.diagnose(after) if after is not None else [],
            complete=complete,
        )
