"""The rewrite rules as data: diagnosis tags, slots and templates from criteria/rewrites.yaml.

Validated at load like the criteria files (unknown keys are errors, located by line), and
checked against the rubric they are used with: every signal and criterion they name must exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The criteria loader's own YAML reading, validation and line location, so that a bad
# rewrites file is reported exactly like a bad criteria file.
from packet_eval.criteria import Rubric, _locate, _read_yaml, _validate, _YamlLoader
from packet_eval.errors import CriteriaError
from packet_eval.resources import default_criteria_dir

FILE_NAME = "rewrites.yaml"
_TAG = r"^[a-z][a-z0-9-]*$"
# A slot label is shown inside a rewrite, so it must not look like a fact: no digits, capitals,
# quotes or brackets (the invented-facts check relies on it).
_FACT_LIKE = re.compile(r"[0-9A-Z\"'“”‘’\[\]{}]")
# A clause may write the pronoun, but no other capital, digit, quote or bracket.
_CLAUSE_FACT = re.compile(r"[0-9\"'“”‘’\[\]]|\b(?!I\b)\w*[A-Z]")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(_Frozen):
    min_words: int = Field(3, ge=1, description="fewer words than this is not a claim")
    max_words: int = Field(45, ge=5)
    max_rewrites: int = Field(3, ge=1, le=4)
    min_questions: int = Field(2, ge=1, le=8)
    max_questions: int = Field(4, ge=1, le=8)


class DiagnosisRule(_Frozen):
    """One diagnosis tag and what triggers it."""

    tag: str = Field(pattern=_TAG)
    label: str
    why: str = Field(description="one line: why the tag makes a bullet read lower")
    aims: list[str] = Field(default=[], description="criteria the rewrites for this tag aim at")
    signals: list[str] = []
    phrases: list[str] = []
    agency: Literal["team", "passive", "unstated"] | None = None
    max_words: int | None = Field(None, ge=1)
    missing: list[str] = []
    missing_tier: int = Field(3, ge=1, le=5)
    unless: list[str] = []
    without_substance: bool = False

    @field_validator("why")
    @classmethod
    def _one_line(cls, why: str) -> str:
        if "\n" in why.strip():
            raise ValueError("why must be one line")
        return why.strip()

    @model_validator(mode="after")
    def _has_a_trigger(self) -> DiagnosisRule:
        if not (self.signals or self.phrases or self.agency or self.max_words or self.missing):
            raise ValueError(
                "a diagnosis needs a trigger: signals, phrases, agency, max_words or missing"
            )
        return self


class Slot(_Frozen):
    """A fact only the writer knows: how it is shown, asked, scored and joined."""

    label: str
    ask: str
    placeholder: str
    clause: str | None = None

    @field_validator("label", "placeholder")
    @classmethod
    def _not_fact_like(cls, value: str) -> str:
        if _FACT_LIKE.search(value):
            raise ValueError(
                f"{value!r} must be lower case without digits, quotes or brackets, "
                "so it cannot pass for a fact"
            )
        return value

    @field_validator("ask")
    @classmethod
    def _asks(cls, ask: str) -> str:
        if not ask.rstrip().endswith("?"):
            raise ValueError(f"a question must end with '?': {ask!r}")
        return ask

    @field_validator("clause")
    @classmethod
    def _one_answer(cls, clause: str | None) -> str | None:
        if clause is not None and clause.count("{}") != 1:
            raise ValueError("a clause holds exactly one {} for the answer")
        if clause is not None and _CLAUSE_FACT.search(clause.replace("{}", "")):
            raise ValueError("a clause must not carry digits, capitals, quotes or brackets")
        return clause


class RewriteStep(_Frozen):
    slot: str
    when: str | None = Field(None, description="only for bullets with this tag")


class Recast(_Frozen):
    """How a bullet is recast so that the author acts."""

    own_part_slot: str
    own_part_tags: list[str]
    participation_signals: list[str]
    agent_markers: list[str] = []
    noun_phrase: str
    verb_phrase: str
    connectors: list[str]
    conjunctions: list[str] = []
    irregular_past: dict[str, str] = {}

    @field_validator("noun_phrase", "verb_phrase")
    @classmethod
    def _two_fields(cls, template: str) -> str:
        fields = sorted(re.findall(r"\{(\w+)\}", template))
        if fields != ["action", "object"]:
            raise ValueError("expected the fields {object} and {action}, each once")
        words = re.sub(r"\{\w+\}", "", template)
        if _CLAUSE_FACT.search(words[:1].lower() + words[1:]):
            raise ValueError("a template must not carry digits, capitals, quotes or brackets")
        return template

    @field_validator("irregular_past")
    @classmethod
    def _plain_words(cls, forms: dict[str, str]) -> dict[str, str]:
        for verb, past in forms.items():
            if not (verb.isalpha() and verb.islower() and past.isalpha() and past.islower()):
                raise ValueError(f"{verb}: {past}: expected two lower-case words")
        return forms


class Messages(_Frozen):
    too_short: str
    not_a_claim: str
    no_claims: str
    keep: str
    nothing_to_add: str
    no_rewrite: str
    no_span: str


class RewriteRules(_Frozen):
    """A loaded rewrites file."""

    path: str = ""
    limits: Limits = Limits()
    diagnoses: list[DiagnosisRule] = Field(min_length=1)
    slots: dict[str, Slot] = Field(min_length=1)
    rewrites: dict[str, list[RewriteStep]] = Field(min_length=1)
    recast: Recast
    messages: Messages

    def diagnosis(self, tag: str) -> DiagnosisRule:
        return next(d for d in self.diagnoses if d.tag == tag)

    def slot_order(self, slot: str) -> int:
        return list(self.slots).index(slot)

    def labels(self) -> list[str]:
        """Return every slot as it is shown in a rewrite."""
        return [f"[{s.label}]" for s in self.slots.values()]


def _problems(rules: RewriteRules, rubric: Rubric) -> Iterator[tuple[list[int | str], str]]:
    """Yield (location, problem) for every name the rules use that does not exist."""
    signals = set(rubric.signal_index())
    criteria = {c.id for c in rubric.criteria}
    tags = [d.tag for d in rules.diagnoses]
    for i, d in enumerate(rules.diagnoses):
        if d.tag in tags[:i]:
            yield ["diagnoses", i, "tag"], f"tag {d.tag!r} appears twice"
        for key in ("signals", "unless"):
            for j, sid in enumerate(getattr(d, key)):
                if sid not in signals:
                    yield ["diagnoses", i, key, j], f"unknown signal {sid!r}"
        for key in ("aims", "missing"):
            for j, cid in enumerate(getattr(d, key)):
                if cid not in criteria:
                    yield ["diagnoses", i, key, j], f"unknown criterion {cid!r}"
    for cid, steps in rules.rewrites.items():
        if cid not in criteria:
            yield ["rewrites", cid], f"unknown criterion {cid!r}"
        for j, step in enumerate(steps):
            if step.slot not in rules.slots or rules.slots[step.slot].clause is None:
                yield ["rewrites", cid, j, "slot"], f"no slot {step.slot!r} with a clause"
            if step.when is not None and step.when not in tags:
                yield ["rewrites", cid, j, "when"], f"unknown tag {step.when!r}"
    recast = rules.recast
    if recast.own_part_slot not in rules.slots:
        yield ["recast", "own_part_slot"], f"unknown slot {recast.own_part_slot!r}"
    for j, sid in enumerate(recast.participation_signals):
        if sid not in signals:
            yield ["recast", "participation_signals", j], f"unknown signal {sid!r}"
    for j, tag in enumerate(recast.own_part_tags):
        if tag not in tags:
            yield ["recast", "own_part_tags", j], f"unknown tag {tag!r}"
    if "action" not in rules.slots:
        yield ["slots"], "a slot named 'action' is needed for the recast phrases"


def _check(rules: RewriteRules, rubric: Rubric, path: Path, text: str) -> None:
    for loc, problem in _problems(rules, rubric):
        line = _locate(yaml.compose(text, Loader=_YamlLoader), loc)
        key = ".".join(str(p) for p in loc)
        own = path.parent == Path(rubric.directory).resolve()
        hint = None if own else f"give {rubric.directory} its own {FILE_NAME}"
        raise CriteriaError(f"{path}:{line}: {key}: {problem}", hint=hint)


_LOADED: dict[tuple[str, str, str, int, int], RewriteRules] = {}


def _load(path: Path, rubric: Rubric) -> RewriteRules:
    data, text = _read_yaml(path)
    rules: RewriteRules = _validate(RewriteRules, path, data, text)
    _check(rules, rubric, path, text)
    return rules.model_copy(update={"path": str(path)})


def rules_path(rubric: Rubric) -> Path:
    """Return the rewrites file of a criteria directory, or the bundled one if it has none."""
    own = Path(rubric.directory) / FILE_NAME
    return own if own.is_file() else default_criteria_dir() / FILE_NAME


def load_rewrite_rules(rubric: Rubric, path: str | Path | None = None) -> RewriteRules:
    """Load and validate the rewrite rules used with a rubric."""
    where = (Path(path) if path is not None else rules_path(rubric)).resolve()
    try:
        stat = where.stat()
    except OSError as exc:
        raise CriteriaError(f"{where}: cannot read the rewrite rules ({exc.strerror})") from exc
    # The file's size and mtime are in the key: an edited file is read again, not served stale.
    key = (str(where), rubric.directory, rubric.digest, stat.st_size, stat.st_mtime_ns)
    if key not in _LOADED:
        _LOADED[key] = _load(where, rubric)
    return _LOADED[key]
