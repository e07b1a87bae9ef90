"""Recast a bullet so that its author acts: drop a leading participation verb or "we", turn the
passive around, and keep the bullet's own verb, object and numbers.

The result is a `Draft`: the recast bullet with holes for facts only the writer knows, to which
clauses from the rewrite rules are added. A draft is rendered three ways: with slot labels (what
the writer sees), with placeholders (what the engine scores) or with the writer's answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from packet_eval.criteria import Lexicon
from packet_eval.rewrite_rules import RewriteRules

if TYPE_CHECKING:
    from spacy.tokens import Token

    from packet_eval.detecting import Evidence

_END = " \t.;,:!?"
_FINAL = frozenset(".;,:!?")
_GERUND = "ing"
_ADVERB = "ly"


@dataclass(frozen=True)
class Hole:
    """Where a slot goes: shown as its label, scored as its placeholder, filled by an answer."""

    slot: str


Piece = str | Hole


@dataclass(frozen=True)
class Clause:
    slot: str
    before: str
    after: str


@dataclass(frozen=True)
class Draft:
    """A recast bullet with holes, and the clauses a rewrite adds to it."""

    core: tuple[Piece, ...]
    fallback: str
    clauses: tuple[Clause, ...] = ()
    requires: tuple[str, ...] = ()  # slots without which the recast core would overclaim

    def requiring(self, slot: str, rules: RewriteRules) -> Draft:
        """Return the draft with a clause for `slot` that the recast core cannot stand without."""
        return replace(self.with_clauses([slot], rules), requires=(*self.requires, slot))

    def holes(self) -> list[str]:
        return [p.slot for p in self.core if isinstance(p, Hole)]

    def slots(self) -> list[str]:
        return [*self.holes(), *(c.slot for c in self.clauses)]

    def with_clauses(self, slots: Sequence[str], rules: RewriteRules) -> Draft:
        """Return the draft with a clause per slot, in the rules' slot order."""
        have = set(self.slots())
        clauses = list(self.clauses)
        for slot in slots:
            clause = rules.slots[slot].clause
            if slot in have or clause is None:
                continue
            before, after = clause.split("{}")
            clauses.append(Clause(slot, before, after))
            have.add(slot)
        clauses.sort(key=lambda c: rules.slot_order(c.slot))
        return replace(self, clauses=tuple(clauses))

    def render(self, value: Callable[[str], str | None]) -> str:
        """Render with a value per slot. A slot without one drops its clause; a hole in the
        recast core, or a required slot left empty, brings back the bullet as written."""
        parts = [value(p.slot) if isinstance(p, Hole) else p for p in self.core]
        missing = any(p is None for p in parts) or not all(value(s) for s in self.requires)
        head = self.fallback if missing else "".join(p or "" for p in parts)
        tail = ""
        for clause in self.clauses:
            answer = value(clause.slot)
            if answer:
                tail += clause.before + answer + clause.after
        return sentence(head.rstrip(_END) + tail)


def sentence(text: str) -> str:
    """Capitalise the first letter and end with one full stop."""
    text = text.strip().rstrip(_END)
    return text[:1].upper() + text[1:] + "." if text else ""


def _text(tokens: Sequence[Token]) -> str:
    return "".join(t.text_with_ws for t in tokens).strip()


@lru_cache(maxsize=4096)
def lemma_of(word: str) -> str:
    """Return the lookup lemma of a lower-case word."""
    from packet_eval.segmenting import make_nlp

    doc = make_nlp()(word)
    return doc[0].lemma_.lower() if len(doc) == 1 else word


def past_tense(lemma: str, rules: RewriteRules) -> str | None:
    """Return the past tense of a verb, only if the lemma table confirms it."""
    irregular = rules.recast.irregular_past.get(lemma)
    if irregular:
        return irregular
    candidates = [lemma + "ed"]
    if lemma.endswith("e"):
        candidates.insert(0, lemma + "d")
    if len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        candidates.insert(0, lemma[:-1] + "ied")
    if len(lemma) > 2 and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou":
        candidates.append(lemma + lemma[-1] + "ed")
    return next((c for c in candidates if c != lemma and lemma_of(c) == lemma), None)


def is_verbish(tok: Token, lex: Lexicon) -> bool:
    """Whether a token reads as a verb with an implied subject (the detector's own test)."""
    lower, lemma = tok.lower_, tok.lemma_.lower()
    return (
        lemma in lex.agency_verbs
        or (lower.endswith(lex.past_tense_suffix) and lemma != lower)
        or lower in lex.irregular_participles
    )


def _lower_start(tokens: Sequence[Token]) -> str:
    """Text of tokens whose first word loses its capital when it is an ordinary word."""
    text = _text(tokens)
    first = tokens[0]
    if first.is_title and (first.is_stop or lemma_of(first.lower_) != first.lower_):
        return text[:1].lower() + text[1:]
    return text


def _phrase_at(tokens: Sequence[Token], start: int, phrases: Sequence[str]) -> int:
    """Return the length of the longest phrase found at `start`, or 0."""
    best = 0
    for phrase in phrases:
        words = phrase.split()
        end = start + len(words)
        if end <= len(tokens) and [t.lower_ for t in tokens[start:end]] == words:
            best = max(best, len(words))
    return best


def _after_participation(
    tokens: Sequence[Token], evidence: Sequence[Evidence], rules: RewriteRules, lex: Lexicon
) -> tuple[Piece, ...] | None:
    lead = 1 if tokens and tokens[0].lower_ in lex.first_person_singular else 0
    signals = set(rules.recast.participation_signals)
    ev = next((e for e in evidence if e.signal in signals and e.polarity == "anti"), None)
    if ev is None or lead >= len(tokens):
        return None
    offset = tokens[0].idx
    if tokens[lead].idx - offset != ev.start:
        return None
    end = next((i for i, t in enumerate(tokens) if t.idx - offset >= ev.end), len(tokens))
    connectors = set(rules.recast.connectors)
    last = tokens[end - 1]
    if end - lead == 2 and last.is_stop and last.lower_ not in connectors:
        end -= 1  # "supported the team": keep "the"
    had_connector = any(t.lower_ in connectors for t in tokens[lead:end])
    while end < len(tokens) and tokens[end].lower_ in connectors:
        end, had_connector = end + 1, True
    return _recast_rest(tokens[end:], bare_ok=not had_connector, rules=rules, lex=lex)


def _recast_rest(
    rest: Sequence[Token], *, bare_ok: bool, rules: RewriteRules, lex: Lexicon
) -> tuple[Piece, ...] | None:
    team = _phrase_at(rest, 0, lex.first_person_plural)
    if team and team < len(rest) and is_verbish(rest[team], lex):
        rest = rest[team:]
    if not rest or not any(t.is_alpha for t in rest):
        return None
    first = rest[0]
    lower, lemma = first.lower_, first.lemma_.lower()
    gerund = lower.endswith(_GERUND) and lemma != lower
    if gerund or (bare_ok and lower == lemma and past_tense(lemma, rules)):
        past = past_tense(lemma, rules)
        if past is not None:
            return (past + first.whitespace_ + _text(rest[1:]),)
        return _template(rules.recast.verb_phrase, _text(rest))
    joint = _second_verb(rest, rules, lex)
    head = _template(rules.recast.noun_phrase, _lower_start(rest[:joint]))
    return head + ((" " + _text(rest[joint:]),) if joint < len(rest) else ())


def _second_verb(rest: Sequence[Token], rules: RewriteRules, lex: Lexicon) -> int:
    """Return where "and <past verb>" starts a second action of the author's, or the end."""
    conjunctions = set(rules.recast.conjunctions)
    for i in range(1, len(rest) - 1):
        nxt = rest[i + 1]
        if rest[i].lower_ in conjunctions and is_verbish(nxt, lex) and nxt.lower_ != nxt.lemma_:
            return i
    return len(rest)


def _template(template: str, obj: str) -> tuple[Piece, ...]:
    pieces: list[Piece] = []
    rest = template
    while "{" in rest:
        before, _, tail = rest.partition("{")
        field, _, rest = tail.partition("}")
        pieces.append(before)
        pieces.append(obj if field == "object" else Hole(field))
    pieces.append(rest)
    return tuple(p for p in pieces if p != "")


def _after_team(tokens: Sequence[Token], lex: Lexicon) -> tuple[Piece, ...] | None:
    size = _phrase_at(tokens, 0, lex.first_person_plural)
    if not size or size >= len(tokens) or not is_verbish(tokens[size], lex):
        return None
    return (_text(tokens[size:]),)


def passive_at(tokens: Sequence[Token], lex: Lexicon) -> tuple[int, int] | None:
    """Return (auxiliary, participle) indexes of a passive with its subject first, or None."""
    aux = set(lex.passive_auxiliaries)
    for i in range(1, len(tokens) - 1):
        if tokens[i].lower_ not in aux:
            continue
        j = i + 2 if tokens[i + 1].lower_.endswith(_ADVERB) else i + 1
        if j < len(tokens) and _is_participle(tokens[j].lower_, lex):
            return i, j
    return None


def _is_participle(word: str, lex: Lexicon) -> bool:
    suffix = lex.past_tense_suffix
    return (word.endswith(suffix) and len(word) > 4) or word in lex.irregular_participles


def _from_passive(
    tokens: Sequence[Token], rules: RewriteRules, lex: Lexicon
) -> tuple[Piece, ...] | None:
    found = passive_at(tokens, lex)
    if found is None:
        return None
    aux, part = found
    rest = tokens[part + 1 :]
    if rest and rest[0].lower_ in rules.recast.agent_markers:
        return None  # "was built by the data team": the actor is named, and is not the author
    participle = tokens[part].lower_
    regular = participle.endswith(lex.past_tense_suffix)
    verb = participle if regular else past_tense(lemma_of(participle), rules)
    if verb is None:
        return None
    adverb = _text(tokens[aux + 1 : part])
    words = [adverb, verb, _lower_start(tokens[:aux]), _text(rest)]
    return (" ".join(w for w in words if w),)


def recast(
    tokens: Sequence[Token],
    evidence: Sequence[Evidence],
    agency: str,
    rules: RewriteRules,
    lex: Lexicon,
) -> Draft:
    """Recast a bullet's tokens so that the author acts; unchanged when it already does."""
    while tokens and tokens[-1].text in _FINAL:
        tokens = tokens[:-1]
    fallback = _text(tokens)
    core = (
        _after_participation(tokens, evidence, rules, lex)
        or (_after_team(tokens, lex) if agency == "team" else None)
        or (_from_passive(tokens, rules, lex) if agency == "passive" else None)
        or (fallback,)
    )
    return Draft(core=core, fallback=fallback)
