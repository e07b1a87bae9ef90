"""No text, however odd, crashes the scorer, and the report always holds together."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packet_eval.api import evaluate
from packet_eval.errors import InputError

MARKUP = st.sampled_from(
    [
        "- ",
        "* ",
        "1. ",
        "# ",
        "| a | b |\n|---|---|\n",
        "```\n",
        "---\n",
        "**",
        "_",
        "\n",
        "\n\n",
        "> ",
    ]
)
WORDS = st.sampled_from(
    [
        "I",
        "we",
        "led",
        "helped",
        "prevented",
        "adopted",
        "by",
        "three",
        "teams",
        "40%",
        "not",
        "never",
        "the",
        "migration",
        "was",
        "built",
        ".",
        ";",
    ]
)
TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(MARKUP, WORDS, st.text(max_size=8)), max_size=80).map(" ".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_properties_arbitrary_text_never_crashes(text: str) -> None:
    try:
        report = evaluate("fuzz.md", text=text)
    except InputError:
        assert not text.strip()
        return
    assert 1 <= report.level <= 5
    assert 1 <= report.target <= 5
    for crit in report.criteria:
        assert 1 <= crit.level <= 5 and 0 <= crit.confidence <= 1
    n_lines = text.count("\n") + 1
    assert all(1 <= c.line <= n_lines for c in report.claims)
