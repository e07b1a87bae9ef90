"""Agreement on text nobody on this project wrote: the public career-ladder set, measured only.

    python benchmarks/ladders.py [--data ../shared/data/ladders] [--model models]
                                 [--output models/EVALUATION.md]

Scores every record (claim level) and every (source, track, level) group joined into one
document (document level), with the rules alone and with the learned reader, in one run, and
writes a Markdown report. Nothing here trains or tunes: the set is the yardstick. The project's
own development set (corpus/dev, written for the project, never trained on) is measured the
same way beside it, to show how far the two sets are apart.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from packet_eval.api import resolve_model
from packet_eval.criteria import load_rubric
from packet_eval.evaluating import Agreement, Record, documents, measure, read_records

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ladders"
DEV = ROOT / "corpus" / "dev" / "ladders.jsonl"
# Levels a careful reader gave, blind, to 250 of the public sentences (50 per labelled level),
# following corpus/GUIDE.md: ids and levels only. A yardstick for the yardstick.
READER = Path(__file__).resolve().parent / "ladder_reader.jsonl"


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _table(rows: list[tuple[str, Agreement, Agreement]]) -> list[str]:
    out = [
        "| group | n | exact (rules / both) | adjacent | QWK | Spearman |",
        "|---|---|---|---|---|---|",
    ]
    for name, rule, both in rows:
        out.append(
            f"| {name} | {rule.n} | {_f(rule.exact)} / {_f(both.exact)} | "
            f"{_f(rule.adjacent)} / {_f(both.adjacent)} | {_f(rule.qwk)} / **{_f(both.qwk)}** | "
            f"{_f(rule.spearman)} / {_f(both.spearman)} |"
        )
    return out


def _confusion(row: Agreement) -> list[str]:
    out = ["| labelled \\ read | L1 | L2 | L3 | L4 | L5 |", "|---|---|---|---|---|---|"]
    out += [f"| L{i} | " + " | ".join(map(str, r)) + " |" for i, r in enumerate(row.confusion, 1)]
    return out


def report(data: Path, model_dir: str = "auto") -> str:
    rubric = load_rubric()
    model = resolve_model(model_dir, rubric, strict=True)
    if model is None:
        raise SystemExit("no model in models/: run `packet-eval train` first")
    records: list[Record] = []
    for path in sorted(data.glob("*.jsonl")):
        records.extend(read_records(path))
    lines = [
        "# Agreement on the public career-ladder set",
        "",
        f"Written by `python benchmarks/ladders.py` from {len(records)} records of "
        f"`../shared/data/ladders/` (never trained on). Model digest `{model.digest}`, "
        f"criteria digest `{rubric.digest}`. Each cell: rules only / rules + learned reader.",
    ]
    lines += _sections(records, rubric, model)
    if READER.is_file():
        lines += _reader_section(records, rubric, model)
    if DEV.is_file():
        dev = list(read_records(DEV))
        lines += [
            "",
            "# The project's development set, for comparison",
            "",
            f"{len(dev)} statements in `corpus/dev/` written for the project in six invented",
            "ladders' house styles, never trained on (see its README). The learned reader does",
            "far better here than on the public set: text written by the project shares its",
            "way of signalling level, which is why the public set is the yardstick.",
        ]
        lines += [line.replace("## ", "### ") for line in _sections(dev, rubric, model)]
    return "\n".join(lines) + "\n"


def _reader_section(records: list[Record], rubric: Any, model: Any) -> list[str]:
    """Compare a blind human-style reading of a sample with the model's on the same sample."""
    import json

    from packet_eval.evaluating import agreement

    wanted = {}
    for line in READER.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            wanted[row["id"]] = int(row["level"])
    sample = [r for r in records if r.id in wanted and r.level is not None]
    reader = agreement("careful reader", [(r, wanted[r.id]) for r in sample])
    ours = measure(sample, rubric, model)[0]
    rules = measure(sample, rubric, None)[0]
    return [
        "",
        f"## A careful reader on {len(sample)} of these sentences",
        "",
        "`benchmarks/ladder_reader.jsonl`: levels given blind (text only) by a reader following",
        "`corpus/GUIDE.md`, 50 sentences per labelled level. Same sentences, three readers:",
        "",
        "| reader | exact | adjacent | QWK | Spearman |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {_f(a.exact)} | {_f(a.adjacent)} | {_f(a.qwk)} | {_f(a.spearman)} |"
            for name, a in (
                ("careful reader", reader),
                ("rules + learned reader", ours),
                ("rules only", rules),
            )
        ),
    ]


def _sections(records: list[Record], rubric: Any, model: Any) -> list[str]:
    lines: list[str] = []
    for unit, recs in (
        ("Claim level", records),
        ("Document level", documents(records, ["source_repo", "track"])),
    ):
        rule = measure(recs, rubric, None, by="source_repo")
        both = measure(recs, rubric, model, by="source_repo")
        rows = [(r.group, r, b) for r, b in zip(rule, both, strict=True)]
        lines += [
            "",
            f"## {unit} ({len(recs)} texts)",
            "",
            *_table(rows),
            "",
            "Confusion, rules + learned reader, all labelled texts:",
            "",
            *_confusion(both[0]),
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", default="auto", help="model directory (default: bundled)")
    parser.add_argument("--output", type=Path, default=ROOT / "models" / "EVALUATION.md")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: not a directory of ladder JSONL files")
    text = report(args.data, args.model)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
