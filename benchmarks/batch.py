"""Batch report: `packet-eval batch` speed and memory against spaCy's own cost, in one run.

    python benchmarks/batch.py [--packets 300] [--words 1000] [--seed 7] [--repeat 2]
                               [--output FILE]

Generates packets of about --words words each from the example packets' sentences (fixed seed)
in a temporary folder, then reports:
- packets per second of `packet-eval batch -f jsonl` with 1 and 2 workers (whole command, cold;
  best of --repeat runs, interleaved, as other work on the machine only slows a run down), and
  whether every output is identical;
- the 2-worker time against spaCy's `nlp.pipe` on the same texts in one process, also cold
  (aim <= 3), and the per-packet cost of scoring against tokenizing, in process;
- peak RSS of each worker (aim <= 400 MB) and of the parent with N and 4N inputs (flat memory),
  sampled from /proc while the command runs; and the steady-state rate from those two runs.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "packets"
EXE = str(Path(sys.executable).parent / "packet-eval")
HEADINGS = ["Context", "What I did", "Decisions", "Outcome", "Working with others", "Next"]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_SKIP = re.compile(r"^\s*(#|\||```|~~~|---|$)")


# -- packets ------------------------------------------------------------------------------------


def _body(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        return text[text.find("\n", end + 4) + 1 :] if end > 0 else text
    return text


def example_sentences() -> tuple[list[str], list[str]]:
    """Return the bullets and the prose sentences of every example packet, in a fixed order."""
    bullets: list[str] = []
    prose: list[str] = []
    for path in sorted(EXAMPLES.glob("*.md")):
        for line in _body(path.read_text(encoding="utf-8")).splitlines():
            if _SKIP.match(line):
                continue
            stripped = line.strip()
            if stripped.startswith(("- ", "* ")):
                bullets.append(stripped[2:])
            else:
                prose += [s for s in _SENTENCE_END.split(stripped) if len(s.split()) > 3]
    return bullets, prose


def make_packet(rng: random.Random, words: int, bullets: list[str], prose: list[str]) -> str:
    """Compose one packet of about `words` words: sections of prose and bullets."""
    lines = [f"# Packet {rng.randrange(10_000)}", ""]
    count = 0
    while count < words:
        lines += [f"## {rng.choice(HEADINGS)}", ""]
        if rng.random() < 0.5:
            chosen = [f"- {b}" for b in rng.sample(bullets, rng.randint(3, 6))]
        else:
            chosen = [" ".join(rng.sample(prose, rng.randint(3, 6)))]
        lines += [*chosen, ""]
        count += sum(len(c.split()) for c in chosen)
    return "\n".join(lines)


def write_packets(folder: Path, n: int, words: int, seed: int) -> list[str]:
    """Write n packets into folder (same seed, same packets) and return their texts."""
    bullets, prose = example_sentences()
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    texts = [make_packet(rng, words, bullets, prose) for _ in range(n)]
    for i, text in enumerate(texts):
        (folder / f"p{i:04}.md").write_text(text, encoding="utf-8")
    return texts


# -- measuring ----------------------------------------------------------------------------------


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


class PeakSampler(threading.Thread):
    """Record the peak RSS (VmHWM) of a process and of each of its children until it ends."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.parent_kb = 0
        self.children_kb: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.parent_kb = max(self.parent_kb, _status_kb(self.pid, "VmHWM") or 0)
            for kid in _children(self.pid):
                peak = _status_kb(kid, "VmHWM") or 0
                self.children_kb[kid] = max(self.children_kb.get(kid, 0), peak)
            self.done.wait(self.every)


def run_batch(folder: Path, workers: int, sample: bool = False) -> dict[str, object]:
    """Run `packet-eval batch` on a folder; return wall time, output digest and peak memory."""
    cmd = [EXE, "batch", str(folder), "-f", "jsonl", "-j", str(workers), "-q"]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        sampler = PeakSampler(proc.pid)
        if sample:
            sampler.start()
        _, err = proc.communicate()
        seconds = time.perf_counter() - start
        sampler.done.set()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode()[-500:]}")
        out.seek(0)
        digest = hashlib.sha256(out.read()).hexdigest()
    return {
        "seconds": seconds,
        "digest": digest,
        "parent_mb": sampler.parent_kb / 1024,
        "worker_mb": [kb / 1024 for kb in sampler.children_kb.values()],
    }


SPACY_COLD = """
import sys, time
from pathlib import Path
start = time.perf_counter()
from packet_eval.segmenting import make_nlp
nlp = make_nlp()
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.md"))]
ready = time.perf_counter()
n = sum(len(doc) for doc in nlp.pipe(texts))
end = time.perf_counter()
print(end - ready, n)
"""


def spacy_baseline(folder: Path) -> dict[str, float]:
    """Cold wall time of spaCy's nlp.pipe over the folder in one process, and its warm part."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", SPACY_COLD, str(folder)], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    warm, tokens = done.stdout.split()
    return {"cold": wall, "warm": float(warm), "tokens": float(tokens)}


def in_process(texts: list[str]) -> dict[str, float]:
    """Per-packet seconds of scoring (rules + bundled model) and of nlp.pipe, same texts."""
    from packet_eval.api import AUTO, evaluate_packet, resolve_model
    from packet_eval.criteria import load_rubric
    from packet_eval.reading import packet_from_text
    from packet_eval.segmenting import make_nlp

    rubric = load_rubric()
    model = resolve_model(AUTO, rubric)
    nlp = make_nlp()
    packets = [packet_from_text(t, f"p{i}") for i, t in enumerate(texts)]
    evaluate_packet(packets[0], rubric=rubric, model=model)  # build the matchers first
    start = time.perf_counter()
    for packet in packets:
        evaluate_packet(packet, rubric=rubric, model=model)
    score = (time.perf_counter() - start) / len(texts)
    start = time.perf_counter()
    list(nlp.pipe(texts))
    pipe = (time.perf_counter() - start) / len(texts)
    return {"score": score, "pipe": pipe}


# -- report -------------------------------------------------------------------------------------


def _best_of(folder: Path, repeat: int) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """Run 1 and 2 workers `repeat` times, interleaved; return the fastest of each, and whether
    every run wrote the same output."""
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(repeat):
        for workers in (1, 2):
            runs[workers].append(run_batch(folder, workers))
    digests = {run["digest"] for done in runs.values() for run in done}
    one, two = (min(runs[w], key=lambda r: r["seconds"]) for w in (1, 2))
    return one, two, len(digests) == 1


def measure(n: int, words: int, seed: int, repeat: int) -> dict[str, Any]:
    """Run every measurement and return the figures."""
    flat_n = max(n // 3, 10)
    with tempfile.TemporaryDirectory() as tmp:
        texts = write_packets(Path(tmp) / "main", n, words, seed)
        write_packets(Path(tmp) / "flat-n", flat_n, words, seed + 1)
        write_packets(Path(tmp) / "flat-4n", 4 * flat_n, words, seed + 1)
        figures = {
            "n": n,
            "flat_n": flat_n,
            "words": sum(len(t.split()) for t in texts) / len(texts),
            "spacy": spacy_baseline(Path(tmp) / "main"),
            "small": run_batch(Path(tmp) / "flat-n", 2, sample=True),
            "large": run_batch(Path(tmp) / "flat-4n", 2, sample=True),
        }
        figures["one"], figures["two"], figures["identical"] = _best_of(Path(tmp) / "main", repeat)
        figures["repeat"] = repeat
    figures["warm"] = in_process(texts[: min(60, n)])
    return figures


def report(f: dict[str, Any]) -> str:
    """Render the figures as a Markdown table with ratios and aims."""
    n, flat_n, spacy, warm = f["n"], f["flat_n"], f["spacy"], f["warm"]
    one, two, small, large = f["one"], f["two"], f["small"], f["large"]
    steady = (4 * flat_n - flat_n) / (large["seconds"] - small["seconds"])
    workers = small["worker_mb"] + large["worker_mb"]
    lines = [
        "# packet-eval batch report",
        "",
        f"{n} generated packets, {f['words']:.0f} words each on average ({spacy['tokens']:.0f} "
        f"tokens in all); Python {sys.version.split()[0]}; `batch -f jsonl`, bundled model, "
        f"each run cold (start-up included); batch times are the best of {f['repeat']}.",
        "",
        "| measure | value | baseline | ratio | aim |",
        "|---|---|---|---|---|",
        f"| batch, 1 worker | {n / one['seconds']:.1f} packets/s ({one['seconds']:.1f}s) "
        "| — | — | — |",
        f"| batch, 2 workers | {n / two['seconds']:.1f} packets/s ({two['seconds']:.1f}s) "
        f"| spaCy `nlp.pipe`, one process, cold: {spacy['cold']:.1f}s "
        f"| {two['seconds'] / spacy['cold']:.1f} | <= 3 |",
        f"| 2 workers vs 1 | {one['seconds'] / two['seconds']:.2f}x faster | — | — | — |",
        f"| outputs of every 1- and 2-worker run identical | {f['identical']} | — | — | True |",
        f"| steady rate, 2 workers ({flat_n} → {4 * flat_n} inputs) | {steady:.1f} packets/s "
        "| — | — | — |",
        f"| in process, per packet: score | {warm['score'] * 1000:.0f}ms | `nlp.pipe` "
        f"{warm['pipe'] * 1000:.1f}ms | {warm['score'] / warm['pipe']:.1f} | — |",
        f"| peak RSS per worker | {max(workers):.0f} MB (max of {len(workers)}) | — | — "
        "| <= 400 MB |",
        f"| peak RSS of the parent, {flat_n} inputs | {small['parent_mb']:.0f} MB | — | — | — |",
        f"| peak RSS of the parent, {4 * flat_n} inputs | {large['parent_mb']:.0f} MB "
        f"| {flat_n} inputs | {large['parent_mb'] / small['parent_mb']:.2f} | ~1 (flat) |",
        "",
        f"spaCy `nlp.pipe` alone, warm: {spacy['warm']:.1f}s for the {n} packets.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=300)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    text = report(measure(args.packets, args.words, args.seed, args.repeat))
    sys.stdout.write(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
