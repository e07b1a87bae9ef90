"""The rubric as data: the ladder, the lexicon and one file per criterion, validated at load."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from packet_eval.errors import CriteriaError, UsageError
from packet_eval.resources import default_criteria_dir

LEVELS = (1, 2, 3, 4, 5)

# Token attributes a blank English pipeline with a sentencizer and lookup lemmas provides.
# Anything else (POS, TAG, DEP, ENT_TYPE, MORPH …) needs a trained component and fails
# at match time.
STRING_ATTRS = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE", "PREFIX", "SUFFIX"})
FLAG_ATTRS = frozenset(
    {
        "IS_ALPHA",
        "IS_ASCII",
        "IS_DIGIT",
        "IS_LOWER",
        "IS_UPPER",
        "IS_TITLE",
        "IS_PUNCT",
        "IS_SPACE",
        "IS_STOP",
        "IS_SENT_START",
        "LIKE_NUM",
        "LIKE_URL",
        "LIKE_EMAIL",
        "IS_CURRENCY",
        "IS_BRACKET",
        "IS_QUOTE",
        "IS_LEFT_PUNCT",
        "IS_RIGHT_PUNCT",
    }
)
BLANK_ATTRS = STRING_ATTRS | FLAG_ATTRS | {"LENGTH", "OP"}
PARSER_ATTRS = frozenset({"POS", "TAG", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "MORPH", "HEAD"})

_ID = r"^[a-z][a-z0-9-]*$"


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML where only true/false are booleans: 'on', 'no', 'yes' stay words."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _check_string_value(n: int, key: str, value: Any) -> None:
    items = value.get("IN", []) + value.get("NOT_IN", []) if isinstance(value, dict) else [value]
    if isinstance(value, dict) and "REGEX" in value:
        items.append(value["REGEX"])
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"pattern {n}: {key} expects words, got {item!r}; quote it")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LadderLevel(_Frozen):
    level: int = Field(ge=1, le=5)
    name: str
    summary: str


class ScoringRules(_Frozen):
    """How claim readings add up to a level: the committee's logic, as numbers."""

    support: int = Field(2, ge=1, description="claims needed to sustain a level in a long packet")
    support_min_claims: int = Field(4, ge=1, description="below this many claims, one suffices")
    blend_min_claims: int = Field(
        2, ge=2, description="with a model, texts of this many claims are also read whole"
    )
    breadth: int = Field(2, ge=1, description="criteria that must reach a level for the packet")
    support_share: float = Field(0.2, ge=0, le=1, description="share of evidenced claims needed")
    floor: int = Field(1, ge=1, le=5, description="level of a criterion with no evidence")


class Ladder(_Frozen):
    name: str
    levels: list[LadderLevel]
    scoring: ScoringRules = ScoringRules()

    @field_validator("levels")
    @classmethod
    def _one_to_five(cls, levels: list[LadderLevel]) -> list[LadderLevel]:
        if [lv.level for lv in levels] != list(LEVELS):
            raise ValueError("levels must list 1, 2, 3, 4, 5 in order")
        return levels

    def name_of(self, level: int) -> str:
        return self.levels[level - 1].name


class Lexicon(_Frozen):
    """Grammatical cues the detector reads a claim's agency and negation from."""

    first_person_singular: list[str]
    first_person_plural: list[str]
    own_part: list[str] = Field(
        description="phrases that isolate the author's share in a team claim"
    )
    passive_auxiliaries: list[str]
    irregular_participles: list[str] = []
    negators: list[str]
    agency_verbs: list[str] = Field(
        description="lemmas of verbs that open a bullet with an implied 'I'"
    )
    negation_window: int = Field(3, ge=1, le=8)
    past_tense_suffix: str = Field(
        "ed", description="a bullet opening with a word ending so is a verb"
    )
    level_words: list[str] = []


class CueClass(_Frozen):
    """One class of level cues: words that mean the same thing for the level a claim reads at."""

    describe: str = Field(min_length=1, description="what the words have in common")
    words: list[str] = Field(min_length=1, description="lemmas or phrases, matched on lemmas")

    @field_validator("words")
    @classmethod
    def _no_blank_words(cls, words: list[str]) -> list[str]:
        if any(not str(w).strip() for w in words):
            raise ValueError("a cue word is empty")
        return words


class Cues(_Frozen):
    """Word classes the learned reader takes as features (cues.yaml); no rule reads them."""

    classes: dict[str, CueClass] = Field(min_length=1)

    @field_validator("classes")
    @classmethod
    def _ids(cls, classes: dict[str, CueClass]) -> dict[str, CueClass]:
        bad = [name for name in classes if not re.match(_ID, name)]
        if bad:
            raise ValueError(f"class names must be lower-case words joined by '-': {bad}")
        return classes

    def shared_words(self) -> dict[str, list[str]]:
        """Return each entry listed in more than one class, with those classes (allowed: the
        word then counts for every class it is in)."""
        seen: dict[str, list[str]] = {}
        for name, cue in self.classes.items():
            for word in cue.words:
                seen.setdefault(word.lower(), []).append(name)
        return {word: names for word, names in sorted(seen.items()) if len(names) > 1}


class Signal(_Frozen):
    id: str = Field(pattern=_ID)
    polarity: Literal["signal", "anti"] = "signal"
    tier: int = Field(ge=1, le=5, description="level supported (signal) or capped at (anti)")
    message: str
    why: str = ""
    ask: str = ""
    agency: Literal["any", "own", "team", "passive", "not-own"] = "any"
    caps: Literal["criterion", "claim"] = Field(
        "criterion", description="an anti-signal caps its criterion, or the whole claim"
    )
    unless: list[str] = []
    weight: float = Field(1.0, ge=0.0)
    phrases: list[str] = []
    phrase_attr: Literal["LOWER", "LEMMA"] = "LOWER"
    patterns: list[list[dict[str, Any]]] = []
    examples: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_something_to_match(self) -> Signal:
        if not self.phrases and not self.patterns:
            raise ValueError("a signal needs at least one of 'phrases' or 'patterns'")
        return self

    @field_validator("patterns")
    @classmethod
    def _blank_pipeline_attrs(
        cls, patterns: list[list[dict[str, Any]]]
    ) -> list[list[dict[str, Any]]]:
        for n, pattern in enumerate(patterns):
            if not pattern:
                raise ValueError(f"pattern {n} is empty")
            for token in pattern:
                for key in token:
                    name = key.upper()
                    if name in PARSER_ATTRS:
                        raise ValueError(
                            f"pattern {n} uses {key}, which needs a tagger or parser; "
                            "use LOWER, LEMMA, SHAPE, IS_DIGIT, LIKE_NUM … instead"
                        )
                    if name not in BLANK_ATTRS or key != name:
                        raise ValueError(f"pattern {n} uses unknown token attribute {key!r}")
                    if name in STRING_ATTRS:
                        _check_string_value(n, key, token[key])
        return patterns


class Example(_Frozen):
    text: str = Field(min_length=1)
    reads: Literal["weak", "strong"]


class GapWording(_Frozen):
    needs: dict[int, str] = Field(description="what each level needs on this criterion")
    questions: list[str] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _are_questions(cls, questions: list[str]) -> list[str]:
        for q in questions:
            if not q.rstrip().endswith("?"):
                raise ValueError(f"a gap question must ask, ending with '?': {q!r}")
        return questions

    @field_validator("needs")
    @classmethod
    def _levels_two_to_five(cls, needs: dict[int, str]) -> dict[int, str]:
        missing = [lv for lv in (2, 3, 4, 5) if lv not in needs]
        if missing:
            raise ValueError(f"needs wording for levels {missing}")
        return needs


class Criterion(_Frozen):
    id: str = Field(pattern=_ID)
    code: str = Field(pattern=r"^[A-Z]{2,6}$")
    name: str
    core: bool = True
    enabled: bool = True
    weight: float = Field(1.0, ge=0.0)
    summary: str
    why: str
    levels: dict[int, str]
    signals: list[Signal] = Field(min_length=1)
    gap: GapWording
    examples: list[Example]

    @field_validator("levels")
    @classmethod
    def _all_levels(cls, levels: dict[int, str]) -> dict[int, str]:
        if sorted(levels) != list(LEVELS):
            raise ValueError("levels must describe 1, 2, 3, 4 and 5")
        return levels

    @field_validator("examples")
    @classmethod
    def _six_each(cls, examples: list[Example]) -> list[Example]:
        for reads in ("weak", "strong"):
            count = sum(1 for ex in examples if ex.reads == reads)
            if count < 6:
                raise ValueError(f"needs at least 6 {reads} examples, has {count}")
        return examples

    @model_validator(mode="after")
    def _unique_signal_ids(self) -> Criterion:
        seen: set[str] = set()
        for sig in self.signals:
            if sig.id in seen:
                raise ValueError(f"signal id {sig.id!r} appears twice")
            seen.add(sig.id)
        return self


class Rubric(_Frozen):
    """A loaded ladder with its lexicon and criteria, and a digest that identifies it."""

    directory: str
    ladder: Ladder
    lexicon: Lexicon
    cues: Cues
    criteria: list[Criterion]
    digest: str

    def criterion(self, key: str) -> Criterion:
        for crit in self.criteria:
            if key in (crit.id, crit.code, crit.code.lower()):
                return crit
        known = ", ".join(c.id for c in self.criteria)
        raise CriteriaError(f"no criterion {key!r} in {self.directory}", hint=f"known: {known}")

    @property
    def active(self) -> list[Criterion]:
        return [c for c in self.criteria if c.enabled]

    def signal_index(self) -> dict[str, tuple[Criterion, Signal]]:
        return {s.id: (c, s) for c in self.criteria for s in c.signals}


def _locate(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """Return the 1-based line of the YAML node at a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if str(k.value) == str(key)]
            if not match:
                return line
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _read_yaml(path: Path) -> tuple[Any, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CriteriaError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{path}: cannot read ({exc.__class__.__name__})") from exc
    try:
        return yaml.load(text, Loader=_YamlLoader), text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CriteriaError(f"{where}: {problem}", hint="fix the YAML syntax") from exc


def _validate(model: type[BaseModel], path: Path, data: Any, text: str) -> Any:
    if not isinstance(data, dict):
        raise CriteriaError(
            f"{path}:1: expected a mapping at the top level, got {type(data).__name__}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [part for part in err["loc"] if not str(part).startswith("function-")]
        line = _locate(yaml.compose(text, Loader=_YamlLoader), loc)
        key = ".".join(str(p) for p in loc) or "(top level)"
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        msg = err["msg"].removeprefix("Value error, ")
        raise CriteriaError(f"{path}:{line}: {key}: {msg}{more}") from exc


def _check_signal_ids(criteria: list[Criterion], directory: Path) -> None:
    owner: dict[str, str] = {}
    for crit in criteria:
        for sig in crit.signals:
            if sig.id in owner:
                raise CriteriaError(
                    f"{directory / (crit.id + '.yaml')}: signals.{sig.id}: id already used in "
                    f"{owner[sig.id]}.yaml",
                    hint="signal ids are unique across criteria",
                )
            owner[sig.id] = crit.id
    known = set(owner)
    for crit in criteria:
        for sig in crit.signals:
            for other in sig.unless:
                if other not in known:
                    raise CriteriaError(
                        f"{directory / (crit.id + '.yaml')}: signals.{sig.id}.unless: "
                        f"unknown signal {other!r}"
                    )


def _criterion_files(directory: Path) -> list[Path]:
    # Not criteria. Rewrites are read by rewrite_rules.py.
    reserved = {"ladder.yaml", "lexicon.yaml", "cues.yaml", "rewrites.yaml"}
    return sorted(p for p in directory.glob("*.yaml") if p.name not in reserved)


def _load(directory: Path) -> Rubric:
    if not directory.is_dir():
        raise CriteriaError(f"{directory}: not a criteria directory", hint="pass --criteria DIR")
    digest = hashlib.sha256()
    parts: dict[str, tuple[Any, str]] = {}
    # A criteria directory may leave out the lexicon and the cues; the bundled ones apply.
    lexicon_path, cues_path = (
        directory / name if (directory / name).exists() else default_criteria_dir() / name
        for name in ("lexicon.yaml", "cues.yaml")
    )
    for path in [directory / "ladder.yaml", lexicon_path, cues_path, *_criterion_files(directory)]:
        data, text = _read_yaml(path)
        digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
        parts[str(path)] = (data, text)
    ladder = _validate(
        Ladder, directory / "ladder.yaml", *parts.pop(str(directory / "ladder.yaml"))
    )
    lexicon = _validate(Lexicon, lexicon_path, *parts.pop(str(lexicon_path)))
    cues = _validate(Cues, cues_path, *parts.pop(str(cues_path)))
    criteria: list[Criterion] = []
    for name, (data, text) in parts.items():
        path = Path(name)
        crit = _validate(Criterion, path, data, text)
        if crit.id != path.stem:
            raise CriteriaError(
                f"{path}:1: id: {crit.id!r} does not match the file name {path.stem!r}"
            )
        criteria.append(crit)
    if not criteria:
        raise CriteriaError(f"{directory}: no criterion files (*.yaml besides ladder.yaml)")
    _check_signal_ids(criteria, directory)
    return Rubric(
        directory=str(directory),
        ladder=ladder,
        lexicon=lexicon,
        cues=cues,
        criteria=criteria,
        digest=digest.hexdigest()[:16],
    )


@lru_cache(maxsize=8)
def _load_cached(directory: str) -> Rubric:
    return _load(Path(directory))


def load_rubric(directory: str | Path | None = None) -> Rubric:
    """Load and validate a criteria directory (the bundled one by default)."""
    path = Path(directory) if directory is not None else default_criteria_dir()
    return _load_cached(str(path.resolve()))


def parse_level(value: str | int) -> int:
    """Turn 'L3', 'l3' or '3' into 3; reject anything outside 1..5."""
    match = re.fullmatch(r"[Ll]?([1-5])", str(value).strip())
    if not match:
        raise UsageError(f"expected a level L1..L5, got {value!r}", hint="for example --target L4")
    return int(match.group(1))
