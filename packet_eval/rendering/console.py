"""A rich console that renders into a string: fixed width, colour only for a terminal."""

from __future__ import annotations

from io import StringIO

from rich.console import Console


def string_console(out: StringIO, *, color: bool, width: int) -> Console:
    """Return a console writing to `out` at `width` columns, coloured only when asked."""
    return Console(
        file=out,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        soft_wrap=False,
    )


def finished(out: StringIO) -> str:
    """Return what a console wrote, without the padding rich adds at the ends of lines."""
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
