"""The criteria files' own tests: every example reads as labelled; no phrase lives in Python."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from packet_eval.catalogue import misread_examples
from packet_eval.criteria import load_rubric
from packet_eval.rewrite_rules import load_rewrite_rules

PACKAGE = Path(__file__).resolve().parent.parent / "packet_eval"
RUBRIC = load_rubric()


@pytest.mark.parametrize("criterion", [c.id for c in RUBRIC.criteria])
def test_catalogue_examples_read_as_labelled(criterion: str) -> None:
    misread = [m for m in misread_examples(RUBRIC) if m.criterion == criterion]
    assert misread == [], "\n".join(f"{m.kind}: {m.text} -> {m.found}" for m in misread)


def test_catalogue_every_signal_has_examples_and_each_criterion_both_kinds() -> None:
    for crit in RUBRIC.criteria:
        assert all(sig.examples for sig in crit.signals), crit.id
        assert {ex.reads for ex in crit.examples} == {"weak", "strong"}, crit.id
        assert any(s.polarity == "anti" for s in crit.signals), f"{crit.id} has no anti-signal"


def _phrases() -> tuple[set[str], set[str]]:
    """Return the multiword phrases the engine matches, and the lexicon's single words."""
    lex = RUBRIC.lexicon
    listed = [p for c in RUBRIC.criteria for s in c.signals for p in s.phrases]
    listed += [*lex.first_person_singular, *lex.first_person_plural, *lex.own_part]
    listed += [*lex.negators, *lex.passive_auxiliaries, *lex.level_words]
    multi = {p.lower() for p in listed if " " in p}
    single = {p.lower() for p in listed if " " not in p}
    return multi, single


def _string_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value.lower().strip()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    }


def _written_in_python(multi: set[str], single: set[str]) -> set[str]:
    """Return the package's string literals that are a listed word or hold a listed phrase."""
    return {
        f"{path.name}: {literal!r}"
        for path in PACKAGE.rglob("*.py")
        for literal in _string_literals(path)
        if literal in single or any(phrase in literal for phrase in multi)
    }


def test_catalogue_no_phrase_the_engine_matches_is_written_in_python() -> None:
    multi, single = _phrases()
    assert len(multi) > 30 and len(single) > 20  # the scan must have something to look for
    assert _written_in_python(multi, single) == set()


def _rewrite_phrases() -> tuple[set[str], set[str]]:
    """Return what the rewrite rules match or write: multiword phrases, and single words."""
    rules = load_rewrite_rules(RUBRIC)
    matched = [p for d in rules.diagnoses for p in d.phrases]
    written = [t for d in rules.diagnoses for t in (d.label, d.why)]
    written += [t for s in rules.slots.values() for t in (s.label, s.ask, s.placeholder)]
    written += [s.clause for s in rules.slots.values() if s.clause]
    written += [rules.recast.noun_phrase, rules.recast.verb_phrase]
    written += list(rules.messages.model_dump().values())
    pieces = [p for t in [*matched, *written] for p in re.split(r"\{\w*\}", t)]
    texts = {p.lower().strip(" ;,.()") for p in pieces}
    multi = {t for t in texts if len(t.split()) > 1}
    single = {p.lower() for p in matched if " " not in p}
    return multi, single


def test_catalogue_no_rewrite_phrase_is_written_in_python() -> None:
    multi, single = _rewrite_phrases()
    assert len(multi) > 30 and len(single) > 10  # the scan must have something to look for
    assert _written_in_python(multi, single) == set()
