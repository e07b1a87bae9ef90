"""`rewrite` for a person at a terminal: each bullet's level, what holds it back, and rewrites."""

from __future__ import annotations

from io import StringIO

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.text import Text

from packet_eval.rendering.console import finished, string_console
from packet_eval.rewrite_schema import BulletReview, Finding, RewriteReport

INDENT = 3
LEVEL = 15  # "L2 Intermediate"


def _indented(item: RenderableType, depth: int = INDENT) -> Padding:
    return Padding(item, (0, 0, 0, depth))


def _level(bullet: BulletReview) -> str:
    return f"L{bullet.level} {bullet.level_name}" if bullet.level is not None else "—"


def _heading(bullet: BulletReview, number: int) -> Text:
    head = Text(f"{number:<3}", style="bold")
    if not bullet.claim:
        return head.append(f"line {bullet.line}  skipped: {bullet.message}", style="dim")
    head.append(_level(bullet), style="bold")
    head.append(f"  line {bullet.line}")
    if bullet.keep:
        head.append("  keep", style="bold green")
    return head


def _finding(finding: Finding) -> Text:
    line = Text("- ", style="yellow")
    line.append(finding.label, style="yellow")
    if finding.span is not None and finding.span != finding.label:
        line.append(f" «{finding.span}»")
    return line.append(f": {finding.why}", style="dim")


def _whole(text: str, style: str, depth: int) -> Text:
    """A line that is never wrapped or cropped, so it can be copied whole."""
    return Text(" " * depth + text, style=style, no_wrap=True, overflow="ignore")


def _rewrites(bullet: BulletReview) -> list[RenderableType]:
    parts: list[RenderableType] = []
    for rw in bullet.rewrites:
        parts.append(_indented(Text(f"{rw.code:<6}→ L{rw.level} {rw.level_name}", "bold")))
        parts.append(_whole(rw.text, "cyan", INDENT + 2))
    return parts


def _body(bullet: BulletReview) -> list[RenderableType]:
    if not bullet.claim:
        return [_whole(bullet.text, "dim", INDENT)]
    parts: list[RenderableType] = [_whole(bullet.text, "", INDENT)]
    parts += [_indented(_finding(f)) for f in bullet.diagnosis]
    if bullet.keep:
        parts.append(_indented(Text(bullet.message or "", style="green")))
        parts += [
            _indented(Text(f"+ {s.code:<5} {s.message} «{s.match}»", style="green"))
            for s in bullet.strengths
        ]
    elif bullet.rewrites:
        parts += _rewrites(bullet)
    elif bullet.message:
        parts.append(_indented(Text(bullet.message, style="dim")))
    parts += [_indented(Text(f"ask: {q.ask}", style="dim")) for q in bullet.questions]
    return parts


def _print(console: Console, part: RenderableType) -> None:
    console.print(part, soft_wrap=isinstance(part, Text) and part.no_wrap is True)


def render_rewrite_text(report: RewriteReport, *, color: bool = False, width: int = 100) -> str:
    """Render every bullet: level, diagnosis, and rewrites (or keep, or why it was skipped)."""
    out = StringIO()
    console = string_console(out, color=color, width=width)
    count = len(report.bullets)
    console.print(
        Text(f"packet-eval rewrite · {report.source} · {count} bullet{'s' * (count != 1)}", "bold")
    )
    if any(b.rewrites for b in report.bullets):
        console.print(
            Text("Fill each [slot] with a fact only you know; levels assume it is filled.", "dim")
        )
    for number, bullet in enumerate(report.bullets, 1):
        console.print()
        console.print(_heading(bullet, number))
        for part in _body(bullet):
            _print(console, part)
    return finished(out)


def render_interview_header(
    bullet: BulletReview, number: int, total: int, *, color: bool = False, width: int = 100
) -> str:
    """Render what the writer sees before a bullet's questions."""
    out = StringIO()
    console = string_console(out, color=color, width=width)
    console.print()
    console.print(Text(f"[{number}/{total}] {_level(bullet)}", style="bold"))
    _print(console, _whole(bullet.text, "", INDENT))
    for finding in bullet.diagnosis:
        console.print(_indented(_finding(finding)))
    console.print(_indented(Text("Answer what you know; press Enter to skip a question.", "dim")))
    return finished(out)


def render_final(bullet: BulletReview, *, color: bool = False, width: int = 100) -> str:
    """Render a bullet before and after the writer's answers (kept bullets once), each on
    one line so it can be copied whole."""
    if not bullet.claim:
        return ""
    out = StringIO()
    console = string_console(out, color=color, width=width)
    final = bullet.final
    when = "before" if final is not None else "keep" if bullet.keep else "as is"
    _print(console, _whole(f"{when:<8}{_level(bullet):<{LEVEL}} {bullet.text}", "", 0))
    if final is not None:
        after = "after" if final.complete else "so far"
        level = f"L{final.level} {final.level_name}"
        _print(console, _whole(f"{after:<8}{level:<{LEVEL}} {final.text}", "green", 0))
        if final.remaining:
            still = "still: " + "; ".join(f.label for f in final.remaining)
            _print(console, _whole(still, "dim", 8 + LEVEL + 1))
    return finished(out)
