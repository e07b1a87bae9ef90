from __future__ import annotations

import re
from pathlib import Path

import pytest

from packet_eval.criteria import load_rubric, parse_level
from packet_eval.detecting import detector_for
from packet_eval.errors import CriteriaError, UsageError

OWN = "ownership-over-participation.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_criteria_bundled_rubric_loads_with_core_and_supporting(rubric) -> None:
    codes = {c.code for c in rubric.criteria}
    assert {"SCOPE", "AMP", "OWN", "PREV"} <= codes
    assert {"OUT", "OPS"} <= codes
    assert [lv.level for lv in rubric.ladder.levels] == [1, 2, 3, 4, 5]


def test_criteria_unknown_key_names_file_line_and_key(criteria_copy: Path) -> None:
    path = criteria_copy / OWN
    _edit(path, "core: true\n", "core: true\ncolour: blue\n")
    with pytest.raises(CriteriaError) as err:
        load_rubric(criteria_copy)
    message = str(err.value)
    assert f"{path}:{_line_of(path, 'colour: blue')}:" in message
    assert "colour" in message


def test_criteria_tier_out_of_range_is_located(criteria_copy: Path) -> None:
    path = criteria_copy / OWN
    _edit(path, "  - id: own-only-one\n    tier: 4\n", "  - id: own-only-one\n    tier: 7\n")
    with pytest.raises(CriteriaError) as err:
        load_rubric(criteria_copy)
    assert re.search(r"signals\.\d+\.tier", str(err.value))
    assert f":{_line_of(path, 'tier: 7')}:" in str(err.value)


def test_criteria_pattern_needing_a_parser_is_refused(criteria_copy: Path) -> None:
    path = criteria_copy / OWN
    _edit(path, "[{LEMMA: {IN: [help, assist, participate]}}]", "[{POS: VERB}, {LEMMA: help}]")
    with pytest.raises(CriteriaError, match="needs a tagger or parser"):
        load_rubric(criteria_copy)


def test_criteria_pattern_with_a_broken_regex_is_refused(criteria_copy: Path) -> None:
    path = criteria_copy / OWN
    _edit(path, "[{LEMMA: {IN: [help, assist, participate]}}]", "[{LOWER: {REGEX: '(help'}}]")
    with pytest.raises(CriteriaError, match=re.escape(str(path)) + r".*patterns"):
        detector_for(load_rubric(criteria_copy))


def test_criteria_yaml_syntax_error_is_located(criteria_copy: Path) -> None:
    path = criteria_copy / OWN
    _edit(path, "name: Ownership over participation", "name: [unclosed")
    with pytest.raises(CriteriaError, match=re.escape(str(path)) + r":\d+:\d+"):
        load_rubric(criteria_copy)


def test_criteria_id_must_match_file_name(criteria_copy: Path) -> None:
    (criteria_copy / OWN).rename(criteria_copy / "ownership.yaml")
    with pytest.raises(CriteriaError, match="does not match the file name"):
        load_rubric(criteria_copy)


def test_criteria_words_yaml_reads_as_booleans_stay_words(rubric) -> None:
    assert "no" in rubric.lexicon.negators


def test_criteria_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match="not a criteria directory"):
        load_rubric(tmp_path / "missing")


def test_criteria_digest_changes_with_content(criteria_copy: Path, rubric) -> None:
    _edit(criteria_copy / OWN, "weight: 1.0", "weight: 0.9")
    assert load_rubric(criteria_copy).digest != rubric.digest


@pytest.mark.parametrize(("raw", "level"), [("L3", 3), ("l5", 5), ("2", 2), (4, 4)])
def test_criteria_parse_level_accepts_forms(raw: str | int, level: int) -> None:
    assert parse_level(raw) == level


@pytest.mark.parametrize("raw", ["L0", "L6", "staff", ""])
def test_criteria_parse_level_rejects_others(raw: str) -> None:
    with pytest.raises(UsageError):
        parse_level(raw)


def test_criteria_cue_class_name_and_words_are_checked(criteria_copy: Path) -> None:
    path = criteria_copy / "cues.yaml"
    _edit(path, "  reach-task:\n", "  Reach_Task:\n")
    with pytest.raises(CriteriaError, match=r"cues\.yaml.*class names"):
        load_rubric(criteria_copy)


def test_criteria_cue_class_with_no_words_is_located(criteria_copy: Path) -> None:
    path = criteria_copy / "cues.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  reach-task:\n")
    end = text.index("  reach-project:\n")
    path.write_text(
        text[:start] + "  reach-task:\n    describe: a task\n    words: []\n" + text[end:],
        encoding="utf-8",
    )
    with pytest.raises(CriteriaError) as err:
        load_rubric(criteria_copy)
    assert f"{path}:" in str(err.value) and "words" in str(err.value)


def test_criteria_directory_without_cues_uses_the_bundled_ones(criteria_copy: Path, rubric) -> None:
    (criteria_copy / "cues.yaml").unlink()
    own = load_rubric(criteria_copy)
    assert own.cues == rubric.cues
