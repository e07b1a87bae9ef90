"""The command line as a user meets it: exit codes, stdout/stderr split, formats, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from packet_eval.cli import app
from tests.conftest import EXAMPLES

L1 = EXAMPLES / "l1-engineer-billing-tickets.md"
L4 = EXAMPLES / "l4-data-engineer-data-contracts.md"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


def test_cli_score_text_exit_0_with_level_first(runner: CliRunner) -> None:
    result = _run(runner, "score", str(L4), "--no-model")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("Reads as L")


def test_cli_score_json_is_one_document_on_stdout(runner: CliRunner) -> None:
    result = _run(runner, "score", str(L4), "--format", "json", "--no-model")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert doc["id"] == L4.stem
    assert 1 <= doc["level"] <= 5
    assert {c["id"] for c in doc["criteria"]} >= {
        "scope-of-consequence",
        "ownership-over-participation",
    }


def test_cli_score_reads_stdin(runner: CliRunner) -> None:
    result = _run(
        runner,
        "score",
        "-",
        "--format",
        "json",
        "--no-model",
        stdin="- Led the migration of 40 jobs across three teams.\n",
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["source"] == "-"


def test_cli_fail_under_exits_1(runner: CliRunner) -> None:
    result = _run(runner, "score", str(L1), "--fail-under", "L5", "--no-model")
    assert result.exit_code == 1
    assert "below --fail-under L5" in result.stderr


def test_cli_fail_under_passes_when_met(runner: CliRunner) -> None:
    assert _run(runner, "score", str(L1), "--fail-under", "L1", "--no-model").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "missing.md"], "no such file"),
        (["score", "--target", "L9", "{L1}"], "--target"),
        (["score", "{L1}", "--criteria", "nowhere"], "not a criteria directory"),
        (["score", "{L1}", "--model", "nowhere"], "no model metadata"),
        (["score", "{L1}", "--model", "m", "--no-model"], "contradict"),
    ],
)
def test_cli_errors_exit_2_with_one_line_on_stderr(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = _run(runner, *[a.replace("{L1}", str(L1)) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_cli_empty_file_is_exit_2(runner: CliRunner, write) -> None:
    result = _run(runner, "score", str(write("empty.md", "")))
    assert result.exit_code == 2
    assert "empty input" in result.stderr


def test_cli_output_is_written_only_on_success(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    ok = _run(runner, "score", str(L4), "--format", "json", "--output", str(out), "--no-model")
    assert ok.exit_code == 0 and json.loads(out.read_text())["id"] == L4.stem
    before = out.read_text()
    bad = _run(runner, "score", "missing.md", "--format", "json", "--output", str(out))
    assert bad.exit_code == 2
    assert out.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_cli_schema_describes_the_report(runner: CliRunner) -> None:
    result = _run(runner, "schema")
    schema = json.loads(result.stdout)
    assert {"level", "criteria", "gap_notes", "schema_version"} <= set(schema["properties"])


def test_cli_criteria_list_show_validate(runner: CliRunner, criteria_copy: Path) -> None:
    listed = _run(runner, "criteria", "list")
    assert "OWN" in listed.stdout and "L4 Staff" in listed.stdout
    shown = _run(runner, "criteria", "show", "OWN")
    assert "participation" in shown.stdout
    assert _run(runner, "criteria", "validate", str(criteria_copy)).exit_code == 0


def test_cli_criteria_validate_reports_a_misread_example(
    runner: CliRunner, criteria_copy: Path
) -> None:
    path = criteria_copy / "ownership-over-participation.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            '  - reads: weak\n    text: "Helped the platform team',
            '  - reads: strong\n    text: "Helped the platform team',
            1,
        )
    )
    result = _run(runner, "criteria", "validate", str(criteria_copy))
    assert result.exit_code == 2
    assert "expected strong" in result.stderr


def test_cli_criteria_validate_lists_cue_words_in_two_classes(
    runner: CliRunner, criteria_copy: Path
) -> None:
    path = criteria_copy / "cues.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("words: [", "words: [zyzzyva, ", 2), encoding="utf-8")
    result = _run(runner, "criteria", "validate", str(criteria_copy))
    assert result.exit_code == 0, result.stderr
    assert "zyzzyva (reach-task, reach-project)" in result.stdout


def test_cli_criteria_validate_checks_the_rewrite_rules_too(
    runner: CliRunner, criteria_copy: Path
) -> None:
    path = criteria_copy / "rewrites.yaml"
    assert _run(runner, "criteria", "validate", str(criteria_copy)).exit_code == 0
    path.write_text(path.read_text() + "\nsurprise_key: 1\n")
    result = _run(runner, "criteria", "validate", str(criteria_copy))
    assert result.exit_code == 2
    assert "rewrites.yaml" in result.stderr and "surprise_key" in result.stderr


def test_cli_evaluate_reports_agreement(runner: CliRunner, write) -> None:
    rows = [
        {
            "id": "a",
            "text": "Fixes small bugs with help from a mentor.",
            "level": 1,
            "source_repo": "x",
        },
        {
            "id": "b",
            "text": "Sets the technical direction that five teams build on.",
            "level": 4,
            "source_repo": "y",
        },
        {
            "id": "c",
            "text": "Owns the delivery of a feature end to end.",
            "level": 3,
            "source_repo": "y",
        },
    ]
    path = write("set.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    result = _run(runner, "evaluate", str(path), "--by", "source_repo", "--no-model")
    assert result.exit_code == 0
    assert "QWK" in result.stdout and "rules only" in result.stdout
    assert "\ny " in result.stdout or "\ny" in result.stdout


def test_cli_evaluate_malformed_jsonl_names_the_line(runner: CliRunner, write) -> None:
    path = write("bad.jsonl", '{"text": "ok", "level": 2}\n{broken\n')
    result = _run(runner, "evaluate", str(path), "--no-model")
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.stderr
