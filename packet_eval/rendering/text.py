"""The report for a person at a terminal: the level first, then criteria, gaps, evidence."""

from __future__ import annotations

from io import StringIO

from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from packet_eval.rendering.console import finished, string_console
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


def _gap_lines(crit: CriterionReport) -> list[RenderableType]:
    head = Table.grid()
    head.add_column(width=6, no_wrap=True)
    head.add_column(ratio=1)
    head.add_row(Text(crit.code, style="bold"), crit.gap or "")
    lines: list[RenderableType] = [head]
    for near in crit.closest:
        lines.append(Padding(Text(f"closest, line {near.line}: {_quote(near.text)}"), (0, 0, 0, 6)))
        lines.append(
            Padding(Text(f"falls short: {'; '.join(near.short_of)}", style="dim"), (0, 0, 0, 8))
        )
    lines.extend(Padding(Text(f"ask: {q}", style="cyan"), (0, 0, 0, 6)) for q in crit.questions)
    return lines


def _evidence_table(report: Report) -> Table | None:
    table = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
    table.add_column("sign", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("line", no_wrap=True, justify="right")
    table.add_column("tier", no_wrap=True)
    table.add_column("finding", ratio=1)
    for crit in report.criteria:
        for ev in crit.evidence:
            good = ev.polarity == "signal"
            finding = Text(f"{ev.message}: «{ev.match}»", style="green" if good else "yellow")
            table.add_row("+" if good else "-", crit.code, str(ev.line), f"L{ev.tier}", finding)
    return table if table.row_count else None


def render_text(report: Report, *, color: bool = False, width: int = 100) -> str:
    """Render a report as plain (or coloured) text at a fixed width."""
    out = StringIO()
    console = string_console(out, color=color, width=width)
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
    evidence = _evidence_table(report)
    if evidence is not None:
        console.print()
        console.print(Text("Evidence (+ signal, - anti-signal)", style="bold"))
        console.print(evidence)
    return finished(out)
