"""Score many packets in worker processes and stream the outcomes back in input order,
holding only a small window of them.

Each worker builds the rubric, the model and spaCy once; an item (see `collecting`) is a path or
a text, an outcome is one report (as its JSON line) or one error. One bad input never stops the
others.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from packet_eval.collecting import Item
from packet_eval.errors import InputError, PacketEvalError
from packet_eval.reading import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from packet_eval.classifying import Model
    from packet_eval.criteria import Rubric
    from packet_eval.reading import Packet
    from packet_eval.schema import Report

WINDOW_PER_WORKER = 4  # outcomes in flight per worker: enough to keep workers busy, no more
POLL_SECONDS = 0.1  # how often a wait for a worker looks for Ctrl-C
ITEMS_PER_WORKER = 3  # a worker's start-up (spaCy, matchers) pays off from about this many items


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Row(_Frozen):
    """What a table row, a CSV line and the agreement need of one outcome."""

    id: str
    source: str
    level: int | None = None
    level_name: str | None = None
    expected: int | None = None
    confidence: float | None = None
    gap: str | None = None
    gap_name: str | None = None
    error: str | None = None


class Outcome(_Frozen):
    """One scored item: its row, and the report as its JSON line when the output needs it."""

    row: Row
    report: str | None = None


class Setup(_Frozen):
    """How every worker scores: the options `score` takes, plus whether to send reports back."""

    criteria: str | None = None
    model: str | None = None  # "auto", a model directory, or None for the rule-only reading
    strict: bool = False
    target: int | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    reports: bool = True


# -- scoring ------------------------------------------------------------------------------------


class Scorer:
    """Score items with one rubric, one model and one spaCy pipeline, built once."""

    def __init__(self, setup: Setup, rubric: Rubric, model: Model | None) -> None:
        self.setup = setup
        self.rubric = rubric
        self.model = model

    def score(self, item: Item) -> Outcome:
        """Score one item; a bad input or a failure on it becomes an error outcome."""
        from packet_eval.api import evaluate_packet
        from packet_eval.rendering.json import render_jsonl_line

        try:
            packet = self._packet(item)
            report = evaluate_packet(
                packet, target=self.setup.target, rubric=self.rubric, model=self.model
            )
        except PacketEvalError as exc:
            return failed(item, _reason(str(exc), item.source))
        except Exception as exc:
            # one packet must not stop the batch; the type only, as a message may quote the text
            return failed(item, f"internal error ({type(exc).__name__}); please report it")
        line = render_jsonl_line(report).rstrip("\n") if self.setup.reports else None
        return Outcome(row=row_of(report), report=line)

    def _packet(self, item: Item) -> Packet:
        from packet_eval.reading import packet_from_text, read_path

        if item.problem is not None:
            raise InputError(f"{item.source}: {item.problem}")
        if item.path is not None:
            packet = read_path(item.path, max_bytes=self.setup.max_bytes)
            return packet.model_copy(update={"id": item.id})
        text = item.text or ""
        size = len(text.encode("utf-8"))
        if size > self.setup.max_bytes:
            raise InputError(
                f"{item.source}: {size:,} bytes is over the {self.setup.max_bytes:,}-byte limit",
                hint="raise it with --max-bytes",
            )
        packet = packet_from_text(text, item.source, item.id)
        if item.expected is None:
            return packet
        return packet.model_copy(update={"meta": {**packet.meta, "level": item.expected}})


def build_scorer(setup: Setup, model: Model | None = None) -> Scorer:
    """Load the rubric and (unless given) the model, and compile spaCy's matchers, once."""
    from packet_eval.api import resolve_model
    from packet_eval.criteria import load_rubric
    from packet_eval.detecting import detector_for

    rubric = load_rubric(setup.criteria)
    if model is None and setup.model is not None:
        model = resolve_model(setup.model, rubric, strict=setup.strict)
    detector_for(rubric)
    return Scorer(setup, rubric, model)


def failed(item: Item, reason: str) -> Outcome:
    """Return the outcome of an item that could not be scored."""
    row = Row(id=item.id, source=item.source, expected=item.expected, error=reason)
    return Outcome(row=row)


def _reason(message: str, source: str) -> str:
    for prefix in (source, str(Path(source))):
        if message.startswith(f"{prefix}: "):
            return message[len(prefix) + 2 :]
    return message


def row_of(report: Report) -> Row:
    """Return a report's row: its level, expected level, confidence and top gap."""
    gaps = [c for c in report.criteria if c.gap]
    # the order the text and Markdown reports list gap notes in
    top = min(gaps, key=lambda c: (not c.core, c.level)) if gaps else None
    return Row(
        id=report.id,
        source=report.source,
        level=report.level,
        level_name=report.level_name,
        expected=report.expected_level,
        confidence=report.confidence,
        gap=top.code if top else None,
        gap_name=top.name if top else None,
    )


_WORKER: dict[str, Scorer] = {}


def _start_worker(setup: Setup) -> None:
    # Ctrl-C reaches the whole process group; stopping is the parent's decision
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["scorer"] = build_scorer(setup)


def _score_in_worker(item: Item) -> Outcome:
    return _WORKER["scorer"].score(item)


def default_workers() -> int:
    """Return the number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pool_size(requested: int | None, total: int) -> int:
    """Return how many workers to run: as requested, else one per core; never more than the
    items, and by default not so many that starting them costs more than they save."""
    if requested is not None:
        return max(1, min(requested, total))
    return max(1, min(default_workers(), -(-total // ITEMS_PER_WORKER)))


def score_stream(
    items: Iterable[Item], setup: Setup, workers: int, model: Model | None = None
) -> Generator[Outcome, None, None]:
    """Score items in input order: in this process when `workers` is 1, else in a pool of
    worker processes with at most WINDOW_PER_WORKER outcomes per worker held at once.

    `model` is this process's loaded model, used only in-process (workers load their own).
    Close the iterator (or let it finish) to stop the pool. Ctrl-C raises KeyboardInterrupt
    from the iterator once the pool is stopped.
    """
    if workers <= 1:
        scorer = build_scorer(setup, model)
        yield from map(scorer.score, items)
        return
    with _stop_requests() as stop:
        yield from _pooled(items, setup, workers, stop)


def _pooled(
    items: Iterable[Item], setup: Setup, workers: int, stop: _StopRequest
) -> Generator[Outcome, None, None]:
    others = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(setup,))
    pending: deque[Future[Outcome]] = deque()
    try:
        for item in items:
            stop.check()
            pending.append(pool.submit(_score_in_worker, item))
            if len(pending) >= workers * WINDOW_PER_WORKER:
                yield _wait(pending.popleft(), stop)
        while pending:
            yield _wait(pending.popleft(), stop)
    except BrokenProcessPool as exc:
        _end(pool, others)
        stop.check()  # a worker that Ctrl-C stopped is an interruption, not a fault
        raise _worker_died() from exc
    except BaseException:
        _end(pool, others)
        raise
    pool.shutdown(wait=True)


def _end(pool: ProcessPoolExecutor, others: set[multiprocessing.process.BaseProcess]) -> None:
    """Stop a pool now: cancel what has not started, end the workers (their results would be
    dropped), leaving any other child processes alone."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in set(multiprocessing.active_children()) - others:
        process.terminate()


def _wait(future: Future[Outcome], stop: _StopRequest) -> Outcome:
    while True:
        try:
            return future.result(timeout=POLL_SECONDS)
        except FutureTimeout:
            stop.check()


class _StopRequest:
    """Ctrl-C while a pool runs: noted by the signal handler, acted on between steps."""

    def __init__(self) -> None:
        self.requested = False

    def note(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


@contextmanager
def _stop_requests() -> Iterator[_StopRequest]:
    # A KeyboardInterrupt raised inside the executor (mid-fork, mid-submit) can leave workers
    # that never get their shutdown sentinel, and a forked child could take Ctrl-C before its
    # initializer ignores it; so while the pool lives, Ctrl-C only asks to stop.
    stop = _StopRequest()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main else signal.SIG_IGN
    if previous in (signal.SIG_IGN, None):
        yield stop
        return
    signal.signal(signal.SIGINT, stop.note)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _worker_died() -> PacketEvalError:
    return PacketEvalError(
        "a worker process stopped unexpectedly (killed, out of memory, or could not start)",
        hint="run again with fewer --workers",
    )
