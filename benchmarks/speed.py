"""Speed report: packet-eval against spaCy's own cost, measured in one run (ratios, not seconds).

    python benchmarks/speed.py [--repeat 7] [--output benchmarks/out/speed.md]

Reports, each as a ratio to a baseline timed in the same run (machines are noisy):
- cold `packet-eval score --no-model` on the longest example vs cold
  `python -c "import spacy; spacy.blank('en')"` (aim <= 1.3);
- cold `packet-eval score` with the model vs cold rule-only score (aim <= 1.5);
- in-process time per packet vs spaCy tokenizing the same text (aim <= 2);
- model load time, and whether the rule-only path imports scikit-learn (it must not).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "packets"


def _longest() -> Path:
    return max(EXAMPLES.glob("*.md"), key=lambda p: len(p.read_text(encoding="utf-8")))


def _cold(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _interleaved(cmds: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command, runs interleaved so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            times[name].append(_cold(cmd))
    return {name: statistics.median(ts) for name, ts in times.items()}


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def in_process(repeat: int) -> dict[str, float]:
    from packet_eval.api import evaluate_packet, resolve_model
    from packet_eval.classifying import load_model
    from packet_eval.criteria import load_rubric
    from packet_eval.reading import read_path
    from packet_eval.resources import default_model_dir
    from packet_eval.segmenting import make_nlp

    rubric = load_rubric()
    packet = read_path(_longest())
    nlp = make_nlp()
    # Warm up first: build the matchers, and let the tokenizer meet the packet's words once.
    # Timed cold, the tokenizer is several times slower, which would flatter the ratio.
    evaluate_packet(packet, rubric=rubric, model=None)
    tokenize = _best(lambda: nlp.tokenizer(packet.text), repeat * 5)
    rules = _best(lambda: evaluate_packet(packet, rubric=rubric, model=None), repeat * 3)
    out = {"tokenize": tokenize, "score_rules": rules}
    if (default_model_dir() / "reader.json").is_file():
        out["model_load"] = _best(lambda: load_model(default_model_dir(), rubric), repeat)
        model = resolve_model("auto", rubric)
        out["score_model"] = _best(
            lambda: evaluate_packet(packet, rubric=rubric, model=model), repeat * 3
        )
    return out


def imports_sklearn() -> bool:
    code = (
        "import sys; from packet_eval.cli import main; "
        "sys.argv=['packet-eval','score','--no-model',"
        f"{str(_longest())!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('sklearn' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stderr.strip().endswith("True")


def report(repeat: int) -> str:
    exe = str(Path(sys.executable).parent / "packet-eval")
    longest = str(_longest())
    cold = _interleaved(
        {
            "spacy_blank": [sys.executable, "-c", "import spacy; spacy.blank('en')"],
            "score_rules": [exe, "score", "--no-model", longest],
            "score_model": [exe, "score", longest],
        },
        repeat,
    )
    warm = in_process(repeat)
    words = len(Path(longest).read_text(encoding="utf-8").split())
    lines = [
        "# packet-eval speed report",
        "",
        f"Longest example: `{Path(longest).name}` ({words} words). "
        f"Python {sys.version.split()[0]}. "
        f"Cold runs: median of {repeat}, interleaved; in-process: best of several.",
        "",
        "| measure | value | baseline | ratio | aim |",
        "|---|---|---|---|---|",
        f"| cold score, rules only | {cold['score_rules']:.2f}s "
        f"| spaCy blank start-up {cold['spacy_blank']:.2f}s "
        f"| {cold['score_rules'] / cold['spacy_blank']:.2f} | <= 1.3 |",
        f"| cold score, with model | {cold['score_model']:.2f}s | cold rule-only score "
        f"| {cold['score_model'] / cold['score_rules']:.2f} | <= 1.5 |",
        f"| in-process score, rules only | {warm['score_rules'] * 1000:.1f}ms | spaCy tokenizer "
        f"{warm['tokenize'] * 1000:.1f}ms | {warm['score_rules'] / warm['tokenize']:.2f} | <= 2 |",
    ]
    if "score_model" in warm:
        lines.append(
            f"| in-process score, with model | {warm['score_model'] * 1000:.1f}ms "
            f"| spaCy tokenizer "
            f"| {warm['score_model'] / warm['tokenize']:.2f} | — |"
        )
        lines.append(f"| model load | {warm['model_load'] * 1000:.0f}ms | — | — | <= 300ms |")
    lines.append(f"| rule-only path imports scikit-learn | {imports_sklearn()} | — | — | False |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    text = report(args.repeat)
    sys.stdout.write(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
