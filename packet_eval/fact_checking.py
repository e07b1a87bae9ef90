"""Prove a rewrite invents nothing: every number, quoted term, name and word it holds comes
from the bullet, the writer's answers, or the rewrite rules' own wording."""

from __future__ import annotations

import re
from collections.abc import Iterable

from packet_eval.recasting import lemma_of

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|‘([^’]+)’|(?<!\w)'([^']+)'(?!\w)")
WORD = re.compile(r"[^\W\d_](?:[\w’'-]*\w)?")  # a word, with inner hyphens and apostrophes
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")


def _quoted(text: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]


def _lemmas(words: Iterable[str]) -> set[str]:
    return {lemma_of(w.lower()) for w in words}


def check_no_invented_facts(
    original: str,
    answers: Iterable[str],
    rewrite: str,
    *,
    slots: Iterable[str] = (),
    vocabulary: Iterable[str] = (),
) -> list[str]:
    """Return what a rewrite adds that is in neither the bullet nor the writer's answers.

    Checked: numbers (digit sequences), quoted terms, capitalised words (names of teams,
    products, people: any capitalised word not found verbatim, except an ordinary word
    capitalised because it starts a sentence) and, last, any word at all, unless it is a form
    of a source word or written in the rules themselves (`vocabulary`, as written). Slot labels
    (`slots`, as shown) are not facts and are skipped. An empty list: nothing is invented.
    """
    source = " ".join([original, *answers])
    text = rewrite
    for label in slots:
        text = text.replace(label, " ")
    found = [f"number {n}" for n in _NUMBER.findall(text) if n not in set(_NUMBER.findall(source))]
    found += [f"quoted {q!r}" for q in _quoted(text) if q not in source]
    verbatim = set(WORD.findall(source)) | set(vocabulary)
    known = {w.lower() for w in verbatim}
    lemmas = _lemmas(known)
    for match in WORD.finditer(text):
        word = match.group()
        if word in verbatim:
            continue
        initial = bool(_SENTENCE_START.search(text[: match.start()]))
        if word != word.lower() and not (initial and word[1:] == word[1:].lower()):
            found.append(f"name {word!r}")
        elif word.lower() not in known and lemma_of(word.lower()) not in lemmas:
            found.append(f"word {word!r}")
    return found
