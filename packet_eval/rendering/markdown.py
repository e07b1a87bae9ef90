"""The report as Markdown, for a doc, a pull request or a wiki page."""

from __future__ import annotations

from packet_eval.schema import Report


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    lines = [
        f"# packet-eval: {_cell(report.id)}",
        "",
        f"**Reads as L{report.level} {report.level_name}** (confidence {report.confidence:.2f}; "
        f"target L{report.target} {report.target_name}"
        + (f"; expected L{report.expected_level}" if report.expected_level is not None else "")
        + ").",
        "",
        f"Why: {report.reason}.",
        "",
        "| Criterion | Level | Confidence | Why |",
        "|---|---|---|---|",
    ]
    for c in report.criteria:
        core = "" if c.core else " (supporting)"
        lines.append(
            f"| {c.code} {c.name}{core} | L{c.level} {c.level_name} | "
            f"{c.confidence:.2f} | {_cell(c.reason)} |"
        )
    gaps = [c for c in report.criteria if c.gap]
    if gaps:
        lines += ["", f"## Gap notes for L{report.target} {report.target_name}", ""]
        for c in sorted(gaps, key=lambda c: (not c.core, c.level)):
            lines.append(f"### {c.code} {c.name}")
            lines += ["", c.gap or "", ""]
            for near in c.closest:
                lines.append(
                    f"- Closest, line {near.line}: “{_cell(near.text)}” — "
                    f"{_cell('; '.join(near.short_of))}"
                )
            for q in c.questions:
                lines.append(f"- Ask: {q}")
            lines.append("")
    evidence = [(c, ev) for c in report.criteria for ev in c.evidence]
    if evidence:
        lines += [
            "",
            "## Evidence",
            "",
            "| Criterion | Line | Tier | Signal | Match |",
            "|---|---|---|---|---|",
        ]
        for c, ev in evidence:
            sign = "+" if ev.polarity == "signal" else "−"
            lines.append(
                f"| {c.code} | {ev.line} | L{ev.tier} | {sign} {_cell(ev.message)} | "
                f"{_cell(ev.match)} |"
            )
    return "\n".join(lines).rstrip() + "\n"
