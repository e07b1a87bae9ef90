"""Print the corpus distribution tables of DATACARD.md: python corpus/stats.py [corpus/claims]

Counts by file, level, role, register (and register by level), hard-case tag and criterion, so
the data card is regenerated from the data rather than typed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def _row(title: str, counts: Counter[str], keys: list[str] | None = None) -> str:
    keys = keys or sorted(counts)
    head = f"| {title} | " + " | ".join(keys) + " |"
    return "\n".join(
        [
            head,
            "|---" * (len(keys) + 1) + "|",
            "| claims | " + " | ".join(str(counts[k]) for k in keys) + " |",
        ]
    )


def main(root: Path) -> str:
    records = []
    by_file: Counter[str] = Counter()
    for path in sorted(root.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        by_file[path.stem] = len(rows)
        records += rows
    levels = [f"L{k}" for k in range(1, 6)]
    out = [f"{len(records)} claims in {len(by_file)} files.", ""]
    out.append("By file: " + ", ".join(f"`{f}` {n}" for f, n in sorted(by_file.items())) + ".")
    out += ["", _row("level", Counter(f"L{r['level']}" for r in records), levels)]
    out += ["", _row("role", Counter(r["role"] for r in records))]
    out += ["", _row("register", Counter(r["register"] for r in records))]
    out += ["", "| register | " + " | ".join(levels) + " |", "|---" * 6 + "|"]
    for reg in sorted({r["register"] for r in records}):
        c = Counter(f"L{r['level']}" for r in records if r["register"] == reg)
        out.append(f"| {reg} | " + " | ".join(str(c[k]) for k in levels) + " |")
    out += ["", _row("hard case", Counter(r["hard"] or "none" for r in records))]
    out += ["", "| criterion | shows (signals) | misses (anti) |", "|---|---|---|"]
    sig = Counter(s for r in records for s in r["signals"])
    anti = Counter(s for r in records for s in r["anti"])
    for code in ("SCOPE", "AMP", "OWN", "PREV", "OUT", "OPS", "SUST"):
        out.append(f"| {code} | {sig[code]} | {anti[code]} |")
    second = root.parent / "agreement" / "second-reader.jsonl"
    if second.is_file():
        out += ["", *_agreement(records, second)]
    return "\n".join(out) + "\n"


def _agreement(records: list[dict], path: Path) -> list[str]:
    """Agreement between the writers' levels and a second reader's blind levels."""
    from packet_eval.evaluating import qwk

    first = {r["id"]: r for r in records}
    second = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    pairs = [(first[s["id"]]["level"], s["level"]) for s in second if s["id"] in first]
    n = len(pairs)
    exact = sum(a == b for a, b in pairs) / n
    adjacent = sum(abs(a - b) <= 1 for a, b in pairs) / n
    kappa = qwk([a for a, _ in pairs], [b for _, b in pairs]) or 0.0
    return [
        f"Second reader ({path.name}, {n} claims, 60 per level, labelled blind): "
        f"exact {exact:.3f}, adjacent {adjacent:.3f}, QWK {kappa:.3f}."
    ]


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "claims"
    sys.stdout.write(main(root))
