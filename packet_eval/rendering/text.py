"""The report for a person at a terminal: the level first, then criteria, gaps, evidence."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from packet_eval.schema import CriterionReport, Report

QUOTE_WIDTH = 88


def _quote(text: str, width: int = QUOTE_WIDTH) -> str:
    return f'"{text}"' if len(text) <= width else f'"{text[: width - 1].rstrip()}…"'


def _headline(report: Report) -> Text:
    line = Text()
    line.append(f"Reads as L{report.level} {report.level_name}", style="bold")
    line.append(
        f"   confidence {report.confidence:.2f}   target L{report.target} {report.target_name}"
    )
    if report.expected_level is not None:
        mark = "matches" if report.expected_level == report.level else "differs"
        line.append(f"   expected L{report.expected_level} ({mark})")
    return line


def _criteria_table(report: Report) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("Criterion")
    table.add_column("Level", no_wrap=True)
    table.add_column("Conf", justify="right")
    table.add_column("Why")
    for crit in report.criteria:
        name = f"{crit.code:<5} {crit.name}" + ("" if crit.core else " *")
        style = "green" if crit.level >= report.target else ""
        table.add_row(
            name,
            Text(f"L{crit.level} {crit.level_name}", style=style),
            f"{crit.confidence:.2f}",
            crit.reason,
        )
    return table


def _gap_lines(crit: CriterionReport) -> list[Text]:
    lines = [Text.assemble((f"{crit.code}  ", "bold"), crit.gap or "")]
    for near in crit.closest:
        lines.append(Text(f"   closest: line {near.line}  {_quote(near.text)}"))
        lines.append(Text(f"            falls short: {'; '.join(near.short_of)}", style="dim"))
    lines.extend(Text(f"   ask: {q}", style="cyan") for q in crit.questions)
    return lines


def _evidence_lines(report: Report) -> list[Text]:
    lines: list[Text] = []
    for crit in report.criteria:
        for ev in crit.evidence:
            sign = "+" if ev.polarity == "signal" else "-"
            lines.append(
                Text(
                    f"{sign} {crit.code:<5} line {ev.line:<4} L{ev.tier}  "
                    f"{ev.message}: «{ev.match}»",
                    style="green" if sign == "+" else "yellow",
                )
            )
    return lines


def render_text(report: Report, *, color: bool = False, width: int = 100) -> str:
    """Render a report as plain (or coloured) text at a fixed width."""
    out = StringIO()
    console = Console(
        file=out,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        soft_wrap=False,
    )
    console.print(Text(f"packet-eval · {report.source}", style="bold"))
    console.print(_headline(report))
    console.print(f"Why: {report.reason}")
    console.print()
    console.print(_criteria_table(report))
    console.print(Text("* supporting criterion", style="dim"))
    gaps = [c for c in report.criteria if c.gap]
    console.print()
    if gaps:
        console.print(Text(f"Gap notes for L{report.target} {report.target_name}", style="bold"))
        for crit in sorted(gaps, key=lambda c: (not c.core, c.level)):
            for line in _gap_lines(crit):
                console.print(line)
    else:
        console.print(Text(f"Every criterion reads at L{report.target} or above.", style="bold"))
    evidence = _evidence_lines(report)
    if evidence:
        console.print()
        console.print(Text("Evidence (+ signal, - anti-signal)", style="bold"))
        for line in evidence:
            console.print(line)
    return out.getvalue()
