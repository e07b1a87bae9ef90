"""Run the criteria's token patterns: spaCy's pattern language, indexed by the words a pattern
can start with.

spaCy's `Matcher` starts every pattern at every token. With a few hundred patterns whose first
token is a word list (`{"LEMMA": {"IN": [...]}}`), that is most of the time packet-eval spends on
a packet. Here each pattern is filed under the words (or a flag such as `LIKE_NUM`) of one
token every match must have, a bounded distance from its start, so a token only tries the
patterns that could match around it, and a pattern whose other required words are absent from
the doc is not tried at all. The rest is matched as spaCy does: every way of matching gives a
match, `?`, `*`, `+`, `{n,m}` repeat a token, and `!` consumes one token that must not fit.

This module reads the attributes a blank English pipeline sets (strings with `IN`, `NOT_IN`,
`REGEX` or a plain value; boolean flags). A pattern that uses anything else still runs in a spaCy
`Matcher`, which also validates it, so a pattern means what spaCy's documentation says it means.
The tests check the two give the same matches on the corpus and on random patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from packet_eval.criteria import FLAG_ATTRS, STRING_ATTRS

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.strings import StringStore
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

UNBOUNDED = 1 << 30
MAX_REACH = 16  # furthest an anchor token may sit from a match's start
MEMO_LIMIT = 200_000  # token signatures remembered before the memo starts afresh
_OPS = {None: (1, 1), "1": (1, 1), "?": (0, 1), "*": (0, UNBOUNDED), "+": (1, UNBOUNDED)}
_RANGE = re.compile(r"^\{(\d*)(,?)(\d*)\}$")

Check = tuple[str, str, Any]  # (pattern key, "eq" | "in" | "not_in" | "regex", value)


@dataclass(frozen=True)
class Step:
    """One token of a pattern: what it must (or, negated, must not) fit, and how often."""

    checks: tuple[Check, ...]
    low: int
    high: int
    negated: bool = False

    def words(self) -> tuple[str, frozenset[Any]] | None:
        """Return an attribute and the values a fitting token must have there, or None if
        this token can be any word (the most selective: a word list before a flag)."""
        if self.negated:
            return None
        flags = None
        for key, kind, value in self.checks:
            if kind == "eq" and key in STRING_ATTRS:
                return key, frozenset([value])
            if kind == "in":
                return key, value
            if kind == "eq" and value is True and key != "IS_ALPHA":
                flags = flags or (key, frozenset([True]))
        return flags

    def admits(self, values: Sequence[Any], where: dict[str, int]) -> bool:
        """Return whether a token can be consumed by this step (negated: must not fit)."""
        return self.fits(values, where) != self.negated

    def fits(self, values: Sequence[Any], where: dict[str, int]) -> bool:
        """Return whether a token (its attribute values, placed by `where`) fits this step."""
        for attr, kind, value in self.checks:
            v = values[where[attr]]
            if kind == "eq":
                ok = v == value
            elif kind == "in":
                ok = v in value
            elif kind == "not_in":
                ok = v not in value
            else:
                regex, strings = value
                ok = regex.search(strings[v]) is not None
            if not ok:
                return False
        return True


@dataclass(frozen=True)
class Anchor:
    """Where a pattern is looked up: a match has a token fitting `step` between `low` and
    `high` tokens after its start (no step: a match can start at any token)."""

    step: Step | None
    low: int
    high: int
    prefix: tuple[tuple[int, Step], ...] = ()  # tokens at fixed offsets, checked first
    needs: tuple[tuple[str, frozenset[Any]], ...] = ()  # words other required tokens must be

    def rules_out(self, rows: list[tuple[Any, ...]], start: int, where: dict[str, int]) -> bool:
        """Return whether a token at a fixed offset from `start` fails its step."""
        for offset, step in self.prefix:
            i = start + offset
            if i >= len(rows) or not step.admits(rows[i], where):
                return True
        return False


@dataclass
class TokenPatterns:
    """Compiled token patterns, filed by the words (or flags) of one token each must have."""

    keys: list[str] = field(default_factory=list)
    patterns: list[tuple[Step, ...]] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    index: dict[str, dict[Any, list[int]]] = field(default_factory=dict)
    anywhere: list[int] = field(default_factory=list)
    attrs: dict[str, int] = field(default_factory=dict)
    fallback: Matcher | None = None
    _seen: dict[tuple[Any, ...], list[tuple[int, int, int]]] = field(default_factory=dict)

    def add(self, key: str, patterns: Sequence[list[dict[str, Any]]], vocab: Vocab) -> None:
        """Add a key's patterns; those this module cannot read go to a spaCy Matcher."""
        others = []
        for pattern in patterns:
            steps = compile_pattern(pattern)
            if steps is None:
                others.append(pattern)
            else:
                self._file(key, steps, vocab.strings)
        if others:
            if self.fallback is None:
                from spacy.matcher import Matcher

                self.fallback = Matcher(vocab, validate=True)
            self.fallback.add(key, others)

    def _file(self, key: str, steps: tuple[Step, ...], strings: StringStore) -> None:
        n = len(self.patterns)
        anchor = _hashed_anchor(_anchor(steps), strings)
        self.keys.append(key)
        self.patterns.append(tuple(_hashed(step, strings) for step in steps))
        self.anchors.append(anchor)
        for step in steps:
            for attr, _, _ in step.checks:
                self.attrs.setdefault(attr, len(self.attrs))
        self._seen.clear()
        found = anchor.step.words() if anchor.step is not None else None
        if found is None:
            self.anywhere.append(n)
            return
        attr, words = found
        by_word = self.index.setdefault(attr, {})
        for word in words:
            by_word.setdefault(word, []).append(n)

    def __call__(self, doc: Doc) -> set[tuple[str, int, int]]:
        """Return every (key, start, end) match in a doc."""
        rows = _rows(doc, self.attrs)
        found: set[tuple[str, int, int]] = set()
        present = _Present(rows, self.attrs)
        for i, row in enumerate(rows):
            for n, low, high in self._starting(row):
                anchor, key = self.anchors[n], self.keys[n]
                if anchor.needs and not present.has_all(n, anchor.needs):
                    continue
                for start in range(max(0, i - high), i - low + 1):
                    if anchor.rules_out(rows, start, self.attrs):
                        continue
                    for end in _ends(self.patterns[n], 0, start, rows, self.attrs):
                        if end > start:
                            found.add((key, start, end))
        if self.fallback is not None:
            strings = doc.vocab.strings
            found.update((strings[m], s, e) for m, s, e in self.fallback(doc))
        return found

    def _starting(self, row: tuple[Any, ...]) -> list[tuple[int, int, int]]:
        """Return the patterns a token with these values can anchor, each with how far
        before it the match can start."""
        hit = self._seen.get(row)
        if hit is None:
            ids = set(self.anywhere)
            for attr, by_word in self.index.items():
                ids.update(by_word.get(row[self.attrs[attr]], ()))
            anchors = [(n, self.anchors[n]) for n in sorted(ids)]
            hit = [
                (n, a.low, a.high)
                for n, a in anchors
                if a.step is None or a.step.admits(row, self.attrs)
            ]
            if len(self._seen) > MEMO_LIMIT:
                self._seen.clear()
            self._seen[row] = hit
        return hit


class _Present:
    """The values each attribute takes somewhere in a doc, to rule out a pattern whose
    required words are absent (answers kept per pattern)."""

    def __init__(self, rows: list[tuple[Any, ...]], where: dict[str, int]) -> None:
        self.rows, self.where = rows, where
        self.values: dict[str, set[Any]] = {}
        self.answers: dict[int, bool] = {}

    def has_all(self, n: int, needs: tuple[tuple[str, frozenset[Any]], ...]) -> bool:
        ok = self.answers.get(n)
        if ok is None:
            ok = self.answers[n] = all(not words.isdisjoint(self._of(a)) for a, words in needs)
        return ok

    def _of(self, attr: str) -> set[Any]:
        got = self.values.get(attr)
        if got is None:
            pos = self.where[attr]
            got = self.values[attr] = {row[pos] for row in self.rows}
        return got


def _rows(doc: Doc, attrs: dict[str, int]) -> list[tuple[Any, ...]]:
    """Return each token's values of the attributes patterns read (strings as their hashes,
    flags as 0/1), in `attrs` order."""
    names: list[int | str] = ["SENT_START" if a == "IS_SENT_START" else a for a in attrs]
    if not names:
        return [() for _ in doc]
    values = doc.to_array(names).reshape(len(doc), len(names))
    if "IS_SENT_START" in attrs:
        col = attrs["IS_SENT_START"]
        values[:, col] = values[:, col] == 1
    return list(map(tuple, values.tolist()))


def _hashed(step: Step, strings: StringStore) -> Step:
    """Return a step whose string values are hashes, as `Doc.to_array` gives them."""
    checks: list[Check] = []
    for attr, kind, value in step.checks:
        if attr not in STRING_ATTRS:
            checks.append((attr, kind, value))
        elif kind == "eq":
            checks.append((attr, kind, strings.add(value)))
        elif kind == "regex":
            checks.append((attr, kind, (value, strings)))
        else:
            checks.append((attr, kind, frozenset(strings.add(w) for w in value)))
    return replace(step, checks=tuple(checks))


def _hashed_anchor(anchor: Anchor, strings: StringStore) -> Anchor:
    return replace(
        anchor,
        step=None if anchor.step is None else _hashed(anchor.step, strings),
        prefix=tuple((offset, _hashed(step, strings)) for offset, step in anchor.prefix),
        needs=tuple(
            (attr, frozenset(strings.add(w) for w in words) if attr in STRING_ATTRS else words)
            for attr, words in anchor.needs
        ),
    )


def _ends(
    steps: tuple[Step, ...], k: int, i: int, rows: list[tuple[Any, ...]], where: dict[str, int]
) -> Iterator[int]:
    """Yield every token index where steps[k:] can end when started at token i."""
    if k == len(steps):
        yield i
        return
    step = steps[k]
    n = len(rows)
    if step.negated:
        if i < n and not step.fits(rows[i], where):
            yield from _ends(steps, k + 1, i + 1, rows, where)
        return
    if step.low == 0:
        yield from _ends(steps, k + 1, i, rows, where)
    j = i
    while j - i < step.high and j < n and step.fits(rows[j], where):
        j += 1
        if j - i >= step.low:
            yield from _ends(steps, k + 1, j, rows, where)


def _anchor(steps: tuple[Step, ...]) -> Anchor:
    """Choose the token a pattern is looked up by: of the tokens every match has (at a
    bounded distance from its start), the one least likely to fit an arbitrary word."""
    prefix, lows, highs, low, high = [], [], [], 0, 0
    for step in steps:
        if low == high and step.low == step.high:
            prefix.append((low, step))
        lows.append(low)
        highs.append(high)
        low, high = low + step.low, min(high + step.high, UNBOUNDED)
    usable = [k for k, s in enumerate(steps) if s.low > 0 and highs[k] < MAX_REACH]
    if not usable:
        return Anchor(None, 0, 0, tuple(prefix))
    best = min(usable, key=lambda k: (_rank(steps[k]), highs[k] - lows[k], k))
    needs = tuple(
        words
        for k, step in enumerate(steps)
        if k != best and step.low > 0 and (words := step.words()) is not None
    )
    return Anchor(steps[best], lows[best], highs[best], tuple(prefix), needs)


def _rank(step: Step) -> int:
    """Rank a step as an anchor: words that are not stop words, words, a flag, anything."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = step.words()
    if words is None:
        return 4 if step.negated else 3
    if words[1] == frozenset([True]):
        return 2
    return 1 if any(str(w).lower() in STOP_WORDS for w in words[1]) else 0


def compile_pattern(pattern: list[dict[str, Any]]) -> tuple[Step, ...] | None:
    """Compile one spaCy token pattern, or return None if it uses what this module does not
    read (the caller then hands it to spaCy)."""
    if not isinstance(pattern, list) or not pattern:
        return None
    steps = []
    for token in pattern:
        step = _compile_token(token)
        if step is None:
            return None
        steps.append(step)
    return tuple(steps)


def _compile_token(token: Any) -> Step | None:
    if not isinstance(token, dict):
        return None
    op = token.get("OP")
    span = _repeat(op)
    if span is None and op != "!":
        return None
    checks: list[Check] = []
    for key, value in token.items():
        if key == "OP":
            continue
        found = _checks(key, value)
        if found is None:
            return None
        checks.extend(found)
    low, high = span or (1, 1)
    return Step(tuple(checks), low, high, negated=op == "!")


def _repeat(op: Any) -> tuple[int, int] | None:
    if op in _OPS:
        return _OPS[op]
    m = _RANGE.match(op) if isinstance(op, str) else None
    if m is None or (not m.group(1) and not m.group(3)):
        return None
    low = int(m.group(1) or 0)
    if not m.group(2):
        return (low, low) if low > 0 else None
    high = int(m.group(3)) if m.group(3) else UNBOUNDED
    return (low, high) if low <= high and high > 0 else None


def _checks(key: str, value: Any) -> list[Check] | None:
    if key in FLAG_ATTRS:
        return [(key, "eq", value)] if isinstance(value, bool) else None
    if key not in STRING_ATTRS:
        return None
    attr = "ORTH" if key == "TEXT" else key
    if isinstance(value, str):
        return [(attr, "eq", value)]
    if not isinstance(value, dict) or not value:
        return None
    out: list[Check] = []
    for name, arg in value.items():
        if name in ("IN", "NOT_IN"):
            if not isinstance(arg, list) or not all(isinstance(w, str) for w in arg):
                return None
            out.append((attr, name.lower(), frozenset(arg)))
        elif name == "REGEX" and isinstance(arg, str):
            try:
                out.append((attr, "regex", re.compile(arg)))
            except re.error:
                return None
        else:
            return None
    return out
