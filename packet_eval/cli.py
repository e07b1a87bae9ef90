"""The command line: argument parsing, rendering, and turning errors into exit codes.

Exit codes: 0 success; 1 the packet reads below --fail-under, or some batch inputs failed;
2 usage, input, criteria or model error.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec

import typer

from packet_eval.errors import PacketEvalError, UsageError
from packet_eval.reading import DEFAULT_MAX_BYTES
from packet_eval.rendering import ReportFormat

if TYPE_CHECKING:
    from packet_eval.classifying import Model
    from packet_eval.criteria import Rubric

app = typer.Typer(
    name="packet-eval",
    help="Score promotion packets and resume bullets against promotion criteria, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
criteria_app = typer.Typer(help="List, show and validate criteria.", no_args_is_help=True)
app.add_typer(criteria_app, name="criteria")

EXIT_OK, EXIT_BELOW, EXIT_ERROR = 0, 1, 2
P = ParamSpec("P")

CriteriaOpt = Annotated[
    Path | None,
    typer.Option("--criteria", help="Criteria directory (ladder.yaml + one YAML per criterion).",
                 show_default="bundled"),
]
ModelOpt = Annotated[
    Path | None,
    typer.Option("--model", help="Model directory (reader.json + reader.npz).", show_default="bundled"),
]
NoModelOpt = Annotated[bool, typer.Option("--no-model", help="Rule-only reading; skip the learned reader.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Refuse a model trained with other criteria.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the result to FILE (atomically).")
]


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    typer.echo(f"packet-eval: error: {message}", err=True)
    raise typer.Exit(code)


def _guarded(fn: Callable[P, None]) -> Callable[P, None]:
    """Turn the project's errors into one line on stderr and exit code 2; no traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except PacketEvalError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            typer.echo("packet-eval: interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from packet_eval.writing import write_atomic

    write_atomic(output, text)
    typer.echo(f"wrote {output}", err=True)


def _level(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    from packet_eval.criteria import parse_level

    try:
        return parse_level(value)
    except UsageError as exc:
        raise UsageError(f"{option}: {exc.message}", hint=exc.hint) from exc


@app.command()
@_guarded
def score(
    path: Annotated[str, typer.Argument(help="Packet file (.md, .txt, .docx), or - for stdin.")],
    target: Annotated[str | None, typer.Option(
        "--target", "-t", help="Level to write gap notes for, e.g. L4.",
        show_default="the level read + 1")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.text,
    criteria: CriteriaOpt = None,
    fail_under: Annotated[str | None, typer.Option(
        "--fail-under", help="Exit 1 when the packet reads below this level, e.g. L3.")] = None,
    output: OutputOpt = None,
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Refuse inputs larger than this.")] = DEFAULT_MAX_BYTES,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    strict: StrictOpt = False,
) -> None:
    """Score one packet: its level, each criterion's level and evidence, and gap notes."""
    from packet_eval.api import evaluate
    from packet_eval.criteria import load_rubric
    from packet_eval.rendering import render

    goal = _level(target, "--target")
    floor = _level(fail_under, "--fail-under")
    rubric = load_rubric(criteria)
    reader = _reader(model, no_model, strict, rubric)
    report = evaluate(path, target=goal, criteria=criteria, max_bytes=max_bytes, model=reader)
    color = fmt is ReportFormat.text and output is None and sys.stdout.isatty()
    _emit(render(report, fmt, color=color), output)
    if floor is not None and report.level < floor:
        typer.echo(f"packet-eval: reads L{report.level}, below --fail-under L{floor}", err=True)
        raise typer.Exit(EXIT_BELOW)


def _reader(model: Path | None, no_model: bool, strict: bool, rubric: Rubric) -> Model | None:
    """Load the learned reader the options ask for, printing any drift warning on stderr."""
    from packet_eval.api import AUTO, resolve_model

    if no_model:
        if model is not None:
            raise UsageError("--model and --no-model contradict each other")
        return None
    reader = resolve_model(model if model is not None else AUTO, rubric, strict=strict)
    if reader is None:
        typer.echo("packet-eval: no bundled model; rule-only reading (run `packet-eval train`)", err=True)
    for warning in reader.warnings if reader else ():
        typer.echo(f"packet-eval: warning: {warning}", err=True)
    return reader


@app.command()
@_guarded
def train(
    corpus: Annotated[Path, typer.Option("--corpus", help="Directory of labelled *.jsonl claims.")] = Path("corpus/claims"),
    out: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = Path("models"),
    criteria: CriteriaOpt = None,
) -> None:
    """Train the learned reader from the project's own labelled corpus (needs scikit-learn)."""
    from packet_eval.criteria import load_rubric

    try:
        from packet_eval.modelcard import write_card
        from packet_eval.training import train as run_training
    except ImportError as exc:
        raise UsageError("training needs scikit-learn", hint='pip install -e ".[train]"') from exc
    rubric = load_rubric(criteria)
    typer.echo(f"training on {corpus} …", err=True)
    meta = run_training(corpus, out, rubric)
    write_card(meta, out)
    cv = meta["cross_validation"]
    typer.echo(
        f"wrote {out}/reader.npz, reader.json, MODEL_CARD.md: {meta['corpus']['claims']} claims, "
        f"{meta['features']['count']} features; cross-validated QWK {cv['combined_qwk']} "
        f"(learned {cv['learned_qwk']}, rules {cv['rule_only_qwk']}), exact {cv['exact']}"
    )


@app.command()
@_guarded
def schema(output: OutputOpt = None) -> None:
    """Print the JSON Schema of the report that `score --format json` writes."""
    from packet_eval.schema import report_json_schema

    _emit(report_json_schema() + "\n", output)


class EvalFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("evaluate")
@_guarded
def evaluate_cmd(
    path: Annotated[Path, typer.Argument(help="JSONL file with a text and a level per record.")],
    by: Annotated[str | None, typer.Option("--by", help="Also report per value of this field, e.g. source_repo.")] = None,
    documents_mode: Annotated[bool, typer.Option(
        "--documents", help="Join records sharing source, track and level into one document each.")] = False,
    text_field: Annotated[str, typer.Option("--text-field")] = "text",
    level_field: Annotated[str, typer.Option("--level-field")] = "level",
    fmt: Annotated[EvalFormat, typer.Option("--format", "-f")] = EvalFormat.text,
    criteria: CriteriaOpt = None,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    strict: StrictOpt = False,
    output: OutputOpt = None,
) -> None:
    """Agreement with labelled levels: exact, adjacent (±1), quadratic weighted kappa, Spearman.

    Reports the rule-only reading and, when a model is available, the combined one, in one run.
    """
    from packet_eval.criteria import load_rubric
    from packet_eval.evaluating import run_evaluation

    reader = _reader(model, no_model, strict, load_rubric(criteria))
    _emit(run_evaluation(path, by=by, documents_mode=documents_mode, text_field=text_field,
                         level_field=level_field, fmt=fmt.value, criteria=criteria, model=reader),
          output)


@criteria_app.command("list")
@_guarded
def criteria_list(criteria: CriteriaOpt = None) -> None:
    """List the ladder's levels and the criteria with their codes."""
    from packet_eval.criteria import load_rubric

    rubric = load_rubric(criteria)
    typer.echo(f"{rubric.ladder.name}  (digest {rubric.digest})")
    for lv in rubric.ladder.levels:
        typer.echo(f"  L{lv.level} {lv.name:<13} {lv.summary}")
    typer.echo("")
    for c in rubric.criteria:
        kind = "core" if c.core else "supporting"
        state = "" if c.enabled else "  [disabled]"
        typer.echo(f"  {c.code:<6} {c.id:<30} {kind:<10} {len(c.signals):>2} signals{state}")


@criteria_app.command("show")
@_guarded
def criteria_show(
    key: Annotated[str, typer.Argument(help="Criterion id or code, e.g. OWN.")],
    criteria: CriteriaOpt = None,
) -> None:
    """Show one criterion: what each level reads like, its signals and examples."""
    from packet_eval.criteria import load_rubric

    c = load_rubric(criteria).criterion(key)
    typer.echo(f"{c.code}  {c.name}  ({c.id})\n\n{c.summary}\n\nWhy it matters: {c.why}\n")
    for lv, text in sorted(c.levels.items()):
        typer.echo(f"  L{lv}  {text}")
    typer.echo("\nSignals (+) and anti-signals (-):")
    for s in c.signals:
        sign = "+" if s.polarity == "signal" else "-"
        typer.echo(f"  {sign} {s.id:<24} L{s.tier}  {s.message}")
    typer.echo("\nExamples:")
    for ex in c.examples:
        typer.echo(f"  [{ex.reads:<6}] {ex.text}")


@criteria_app.command("validate")
@_guarded
def criteria_validate(
    directory: Annotated[Path, typer.Argument(help="Criteria directory to check.")],
) -> None:
    """Check a criteria directory: schema, patterns, and that every example reads as labelled."""
    from packet_eval.catalogue import misread_examples
    from packet_eval.criteria import load_rubric
    from packet_eval.detecting import build_detector

    rubric = load_rubric(directory)
    build_detector(rubric)
    misread = misread_examples(rubric)
    for m in misread:
        typer.echo(f"{directory}/{m.criterion}.yaml: {m.kind}: expected {m.expected}, "
                   f"found {m.found}: {m.text}", err=True)
    if misread:
        _fail(f"{len(misread)} example(s) do not read as labelled")
    n_ex = sum(len(c.examples) for c in rubric.criteria)
    typer.echo(f"{directory}: ok ({len(rubric.criteria)} criteria, "
               f"{sum(len(c.signals) for c in rubric.criteria)} signals, {n_ex} examples)")


def main() -> None:
    """Run the command line."""
    app()
