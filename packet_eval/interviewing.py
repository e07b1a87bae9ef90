"""The interactive session: ask the questions that close a bullet's biggest gaps, and compose
the final bullet from the answers, keeping everything composed so far when interrupted."""

from __future__ import annotations

from collections.abc import Callable

from packet_eval.rewrite_schema import BulletReview, Question, RewriteReport
from packet_eval.rewriting import Rewriter
from packet_eval.segmenting import make_nlp


def clean_answer(answer: str) -> str:
    """Tidy an answer for use inside a sentence: trimmed, without its final full stop."""
    text = " ".join(answer.split()).rstrip(" .;,")
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and make_nlp().vocab[first.lower()].is_stop:
        text = text[:1].lower() + text[1:]
    return text


class Interrupted(Exception):
    """The writer stopped an interview; `report` holds everything composed so far."""

    def __init__(self, report: RewriteReport) -> None:
        super().__init__("interrupted")
        self.report = report


Ask = Callable[[BulletReview, Question], "str | None"]


def interview(
    rewriter: Rewriter,
    report: RewriteReport,
    ask: Ask,
    done: Callable[[BulletReview], None] = lambda bullet: None,
) -> RewriteReport:
    """Ask each weak bullet's questions and compose its final version from the answers.

    `ask` returns an answer ("" skips the question) or None when input has ended (the rest
    are skipped); `done` sees every bullet once it is final. Ctrl-C raises `Interrupted`
    carrying every bullet composed so far, the current one included.
    """
    bullets = list(report.bullets)
    for i, bullet in enumerate(bullets):
        if not bullet.questions:
            done(bullet)
            continue
        answers: dict[str, str] = {}
        try:
            for question in bullet.questions:
                answer = ask(bullet, question)
                if answer is None:
                    break
                if clean_answer(answer):
                    answers[question.slot] = clean_answer(answer)
        except KeyboardInterrupt:
            final = rewriter.compose(bullet, answers, complete=False)
            bullets[i] = bullet.model_copy(update={"final": final})
            raise Interrupted(report.model_copy(update={"bullets": bullets})) from None
        bullets[i] = bullet.model_copy(
            update={"final": rewriter.compose(bullet, answers, complete=True)}
        )
        done(bullets[i])
    return report.model_copy(update={"bullets": bullets})
