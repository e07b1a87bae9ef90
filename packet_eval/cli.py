"""The command line: argument parsing, rendering, and turning errors into exit codes.

Exit codes: 0 success; 1 the packet reads below --fail-under, or some batch inputs failed;
2 usage, input, criteria or model error; 130 interrupted.
"""

from __future__ import annotations

import contextlib
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
from packet_eval.rendering.batch import BatchFormat

if TYPE_CHECKING:
    from collections.abc import Generator

    from packet_eval.batching import Outcome
    from packet_eval.classifying import Model
    from packet_eval.criteria import Rubric
    from packet_eval.reading import Packet
    from packet_eval.rewrite_schema import BulletReview, Question, RewriteReport
    from packet_eval.summarizing import Summary, Tally

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
    typer.Option(
        "--criteria",
        help="Criteria directory (ladder.yaml + one YAML per criterion).",
        show_default="bundled",
    ),
]
ModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--model", help="Model directory (reader.json + reader.npz).", show_default="bundled"
    ),
]
NoModelOpt = Annotated[
    bool, typer.Option("--no-model", help="Rule-only reading; skip the learned reader.")
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Refuse a model trained with other criteria.")
]
TargetOpt = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        help="Level to write gap notes for, e.g. L4.",
        show_default="the level read + 1",
    ),
]
MaxBytesOpt = Annotated[
    int, typer.Option("--max-bytes", min=1, help="Refuse inputs larger than this.")
]
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
    target: TargetOpt = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    criteria: CriteriaOpt = None,
    fail_under: Annotated[
        str | None,
        typer.Option(
            "--fail-under", help="Exit 1 when the packet reads below this level, e.g. L3."
        ),
    ] = None,
    output: OutputOpt = None,
    max_bytes: MaxBytesOpt = DEFAULT_MAX_BYTES,
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
        typer.echo(
            "packet-eval: no bundled model; rule-only reading (run `packet-eval train`)", err=True
        )
    for warning in reader.warnings if reader else ():
        typer.echo(f"packet-eval: warning: {warning}", err=True)
    return reader


class RewriteFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
@_guarded
def rewrite(
    text: Annotated[
        str | None,
        typer.Argument(
            help="A bullet, or a few sentences, to rewrite; or the path of a file of them "
            "(read as --file).",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option("--file", help="Rewrite every bullet or sentence of FILE (- for stdin)."),
    ] = None,
    fmt: Annotated[
        RewriteFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RewriteFormat.text,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Ask for the facts that close the biggest gaps, then "
            "compose each bullet from your answers.",
        ),
    ] = False,
    criteria: CriteriaOpt = None,
    max_bytes: MaxBytesOpt = DEFAULT_MAX_BYTES,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    strict: StrictOpt = False,
) -> None:
    """Diagnose weak bullets and propose stronger ones, with a slot for each fact only you know.

    Exits 2 when there is no claim to rewrite (empty input, a heading, a fragment); 130 when an
    interactive session is interrupted, after printing what was composed so far.
    """
    from packet_eval.criteria import load_rubric
    from packet_eval.errors import InputError
    from packet_eval.interviewing import Interrupted, interview
    from packet_eval.rewrite_rules import load_rewrite_rules
    from packet_eval.rewriting import Rewriter

    packet = _rewrite_input(text, file, interactive, max_bytes)
    rubric = load_rubric(criteria)
    reader = _reader(model, no_model, strict, rubric)
    rewriter = Rewriter(rubric, load_rewrite_rules(rubric), reader)
    report = rewriter.review_packet(packet)
    if (reason := rewriter.nothing_to_rewrite(report)) is not None:
        raise InputError(f"{packet.source}: {reason}")
    if not interactive:
        _emit(_render_rewrite(report, fmt), None)
        return
    try:
        report = interview(rewriter, report, _ask(len(report.bullets)), _shown(fmt))
    except Interrupted as stop:
        if fmt is RewriteFormat.json:
            _emit(_render_rewrite(stop.report, fmt), None)
        else:
            show = _shown(fmt)
            for bullet in stop.report.bullets:
                if bullet.final is not None and not bullet.final.complete:
                    show(bullet)
        typer.echo("packet-eval: interrupted; what was composed so far is printed above", err=True)
        raise typer.Exit(130) from None
    if fmt is RewriteFormat.json:
        _emit(_render_rewrite(report, fmt), None)


def _rewrite_input(text: str | None, file: str | None, interactive: bool, max_bytes: int) -> Packet:
    from packet_eval.errors import InputError
    from packet_eval.reading import packet_from_text, read_path

    if (text is None) == (file is None):
        raise UsageError(
            "give the bullet as TEXT or a file with --file, one of the two",
            hint="see packet-eval rewrite --help",
        )
    if file is None and text is not None and _names_a_file(text):
        file = text
    if file is None:
        if text is None or not text.strip():
            raise InputError("TEXT: empty", hint="nothing to rewrite")
        return packet_from_text(text, "TEXT", "text")
    if file == "-" and interactive:
        raise UsageError("--interactive reads answers from stdin, so --file cannot be -")
    return read_path(file, max_bytes=max_bytes)


def _names_a_file(text: str) -> bool:
    """Return whether TEXT is a path rather than a bullet: one word that is an existing file,
    or one word shaped like a file name (then reading it reports that it is missing)."""
    word = text.strip()
    if not word or any(ch.isspace() for ch in word):
        return False
    path = Path(word)
    return path.is_file() or path.suffix.lower() in {".md", ".txt", ".markdown"}


def _render_rewrite(report: RewriteReport, fmt: RewriteFormat) -> str:
    if fmt is RewriteFormat.json:
        from packet_eval.rendering.rewrite_json import render_rewrite_json

        return render_rewrite_json(report)
    from packet_eval.rendering.rewrite_text import render_rewrite_text

    return render_rewrite_text(report, color=sys.stdout.isatty())


def _ask(total: int) -> Callable[[BulletReview, Question], str | None]:
    """Return the prompt of an interview: a question on stderr, Enter skips it."""
    from packet_eval.rendering.rewrite_text import render_interview_header

    def ask(bullet: BulletReview, question: Question) -> str | None:
        if question == bullet.questions[0]:
            header = render_interview_header(
                bullet, bullet.index + 1, total, color=sys.stderr.isatty()
            )
            typer.echo(header, err=True, nl=False)
        # The prompt's last character goes to stdout; keep stdout for results when piped.
        piped = not sys.stdout.isatty()
        quiet = contextlib.redirect_stdout(sys.stderr) if piped else contextlib.nullcontext()
        try:
            with quiet:
                answer = typer.prompt(
                    question.ask, default="", show_default=False, err=True, prompt_suffix=" "
                )
            return str(answer)
        except typer.Abort as exc:
            if isinstance(exc.__context__, EOFError):
                return None  # input ended: the remaining questions are skipped
            raise KeyboardInterrupt from None

    return ask


def _shown(fmt: RewriteFormat) -> Callable[[BulletReview], None]:
    """Return what prints each finished bullet: before and after in text, nothing in JSON."""
    from packet_eval.rendering.rewrite_text import render_final

    def show(bullet: BulletReview) -> None:
        if fmt is RewriteFormat.text:
            _emit(render_final(bullet, color=sys.stdout.isatty()), None)

    return show


@app.command()
@_guarded
def train(
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Directory of labelled *.jsonl claims.")
    ] = Path("corpus/claims"),
    out: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = Path("models"),
    packets: Annotated[
        Path | None,
        typer.Option(
            "--packets",
            help="Packets with a `level:` in front matter, used (not trained on) to choose "
            "how packet levels mix the rules and the reader; default examples/packets if present.",
        ),
    ] = None,
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
    if packets is None and Path("examples/packets").is_dir():
        packets = Path("examples/packets")
    elif packets is not None and not packets.is_dir():
        raise UsageError(f"{packets}: not a directory of packets")
    typer.echo(f"training on {corpus} …", err=True)
    meta = run_training(corpus, out, rubric, packets)
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
    by: Annotated[
        str | None,
        typer.Option("--by", help="Also report per value of this field, e.g. source_repo."),
    ] = None,
    documents_mode: Annotated[
        bool,
        typer.Option(
            "--documents",
            help="Join records sharing source, track and level into one document each.",
        ),
    ] = False,
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
    _emit(
        run_evaluation(
            path,
            by=by,
            documents_mode=documents_mode,
            text_field=text_field,
            level_field=level_field,
            fmt=fmt.value,
            criteria=criteria,
            model=reader,
        ),
        output,
    )


# -- batch ----------------------------------------------------------------------------------------

EXIT_SOME_FAILED, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 1, 130, 141


@app.command()
@_guarded
def batch(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Folders (searched recursively for .md, .txt, .docx), files, globs, "
            "or .jsonl files with one packet per line.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        BatchFormat, typer.Option("--format", "-f", help="Output format.")
    ] = BatchFormat.table,
    output: OutputOpt = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            min=1,
            help="Worker processes.",
            show_default="the number of cores; fewer for small batches",
        ),
    ] = None,
    target: TargetOpt = None,
    text_field: Annotated[
        str, typer.Option("--text-field", help="JSONL field holding the packet's text.")
    ] = "text",
    id_field: Annotated[
        str, typer.Option("--id-field", help="JSONL field holding the packet's id.")
    ] = "id",
    level_field: Annotated[
        str, typer.Option("--level-field", help="JSONL field holding the expected level.")
    ] = "level",
    criteria: CriteriaOpt = None,
    max_bytes: MaxBytesOpt = DEFAULT_MAX_BYTES,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    strict: StrictOpt = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")
    ] = False,
) -> None:
    """Score many packets in parallel, with a level histogram, and agreement when expected
    levels are known (front matter `level:` or the JSONL level field).

    Each report is the one `score` gives; failed inputs are named on stderr.

    Exit 1 when some inputs could not be scored, 2 when none could.
    """
    from packet_eval.batching import Setup, pool_size, score_stream
    from packet_eval.collecting import Fields, count_items, expand, iter_items
    from packet_eval.criteria import load_rubric
    from packet_eval.errors import InputError
    from packet_eval.streaming import silence_stdout
    from packet_eval.summarizing import Tally

    goal = _level(target, "--target")
    rubric = load_rubric(criteria)
    reader = _reader(model, no_model, strict, rubric)
    sources, warnings = expand(paths)
    for warning in warnings:
        typer.echo(f"packet-eval: warning: {warning}", err=True)
    total = count_items(sources)
    if not total:
        raise InputError(f"no packets found in {' '.join(paths)}")
    setup = Setup(
        criteria=None if criteria is None else str(criteria),
        model=_batch_model_spec(model, reader),
        strict=strict,
        target=goal,
        max_bytes=max_bytes,
        reports=fmt.needs_reports,
    )
    items = iter_items(sources, Fields(text=text_field, id=id_field, level=level_field))
    outcomes = score_stream(items, setup, pool_size(workers, total), reader)
    tally = Tally(keep_rows=not fmt.streams)
    try:
        summary = _batch_write(outcomes, tally, rubric, total, fmt, output, quiet)
    except KeyboardInterrupt:
        unwritten = f"; {output} not written" if output else ""
        typer.echo(f"packet-eval: interrupted after {tally.seen} of {total}{unwritten}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        silence_stdout()
        raise typer.Exit(EXIT_PIPE_CLOSED) from None
    _batch_report(summary, fmt, output, quiet)


def _batch_model_spec(model: Path | None, reader: Model | None) -> str | None:
    """What each worker loads: the model the options chose, by path, or none."""
    from packet_eval.api import AUTO

    if reader is None:
        return None
    return AUTO if model is None else str(model)


def _batch_write(
    outcomes: Generator[Outcome, None, None],
    tally: Tally,
    rubric: Rubric,
    total: int,
    fmt: BatchFormat,
    output: Path | None,
    quiet: bool,
) -> Summary:
    """Write each outcome as it comes, then the summary; name failed inputs on stderr."""
    import shutil
    from contextlib import closing

    from packet_eval.errors import InputError
    from packet_eval.rendering.batch import writer_for
    from packet_eval.rendering.progress import BatchProgress
    from packet_eval.streaming import open_output

    to_terminal = output is None and sys.stdout.isatty()
    # lines streaming to the same terminal show progress themselves
    show = not quiet and sys.stderr.isatty() and not (to_terminal and fmt.streams)
    width = shutil.get_terminal_size().columns if to_terminal else 100
    with open_output(output) as write, BatchProgress(total, enabled=show) as progress:
        writer = writer_for(fmt, write, color=to_terminal, width=width)
        try:
            writer.start()
            with closing(outcomes):
                for outcome in outcomes:
                    tally.add(outcome.row)
                    writer.add(outcome)
                    progress.advance()
                    if outcome.row.error is not None:
                        progress.note(f"{outcome.row.id}: {outcome.row.error}")
        except KeyboardInterrupt:
            progress.close()
            writer.finish(tally.summary(rubric, total, interrupted=True))
            raise
        progress.close()
        summary = tally.summary(rubric, total)
        writer.finish(summary)
        if not summary.scored:
            raise InputError(f"none of the {total} inputs could be read")
    return summary


def _batch_report(summary: Summary, fmt: BatchFormat, output: Path | None, quiet: bool) -> None:
    """Print the summary on stderr (machine-readable formats) and exit 1 if inputs failed."""
    from packet_eval.rendering.batch.summary import render_summary

    if fmt.streams and not quiet:
        typer.echo(render_summary(summary).rstrip("\n"), err=True)
    if output is not None and not quiet:
        typer.echo(f"wrote {output}", err=True)
    if summary.failed:
        seen = summary.scored + summary.failed
        typer.echo(f"packet-eval: {summary.failed} of {seen} inputs could not be scored", err=True)
        raise typer.Exit(EXIT_SOME_FAILED)


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
    """Check a criteria directory: schema, patterns, level cues, rewrite rules, and that every
    example reads as labelled."""
    from packet_eval.catalogue import misread_examples
    from packet_eval.criteria import load_rubric
    from packet_eval.detecting import build_detector
    from packet_eval.rewrite_rules import load_rewrite_rules, rules_path

    rubric = load_rubric(directory)
    build_detector(rubric)
    load_rewrite_rules(rubric)
    misread = misread_examples(rubric)
    for m in misread:
        typer.echo(
            f"{directory}/{m.criterion}.yaml: {m.kind}: expected {m.expected}, "
            f"found {m.found}: {m.text}",
            err=True,
        )
    if misread:
        _fail(f"{len(misread)} example(s) do not read as labelled")
    n_ex = sum(len(c.examples) for c in rubric.criteria)
    rewrites = rules_path(rubric)
    here = Path(directory).resolve()
    own = "" if rewrites.parent.resolve() == here else " (bundled)"
    cues_own = "" if (here / "cues.yaml").exists() else " (bundled)"
    n_cues = len(rubric.cues.classes)
    typer.echo(
        f"{directory}: ok ({len(rubric.criteria)} criteria, "
        f"{sum(len(c.signals) for c in rubric.criteria)} signals, {n_ex} examples; "
        f"{n_cues} cue classes{cues_own}; rewrite rules {rewrites.name}{own})"
    )
    if shared := rubric.cues.shared_words():
        listed = "; ".join(f"{word} ({', '.join(names)})" for word, names in shared.items())
        typer.echo(
            f"note: {len(shared)} cue words are in more than one class, and count for each: "
            f"{listed}"
        )


def main() -> None:
    """Run the command line."""
    app()
