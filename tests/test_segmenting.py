from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from packet_eval.reading import packet_from_text
from packet_eval.segmenting import segment

PACKET = """---
level: 3
title: x
---
# Summary

I **led** the [migration](https://example.invalid/doc) of *billing* jobs. It cut cost by 30%.

- Helped migrate the `billing` jobs
  to the new scheduler.
1. Designed the schema.

```yaml
rollout: fast   # not a claim
```

| Project | My role | Outcome |
|---|---|---|
| Scheduler | I led it | 40 jobs moved |

**What was your biggest impact?**
> I noticed two dashboards disagreed.
"""


def _claims(text: str):  # type: ignore[no-untyped-def]
    return [cs.claim for cs in segment(packet_from_text(text, "t.md"))]


def test_segmenting_strips_markup_and_keeps_line_numbers() -> None:
    claims = _claims(PACKET)
    assert [(c.line, c.text) for c in claims] == [
        (7, "I led the migration of billing jobs."),
        (7, "It cut cost by 30%."),
        (9, "Helped migrate the billing jobs to the new scheduler."),
        (11, "Designed the schema."),
        (19, "Scheduler; I led it; 40 jobs moved."),
        (22, "I noticed two dashboards disagreed."),
    ]


def test_segmenting_sections_and_kinds() -> None:
    claims = _claims(PACKET)
    assert claims[0].section == "Summary"
    assert claims[2].kind == "bullet"
    assert claims[4].kind == "table-row"
    assert claims[5].section == "What was your biggest impact?"


def test_segmenting_skips_front_matter_and_code() -> None:
    texts = " ".join(c.text for c in _claims(PACKET))
    assert "rollout" not in texts
    assert "title" not in texts


def test_segmenting_column_points_at_first_word() -> None:
    lines = PACKET.split("\n")
    for claim in _claims(PACKET):
        first_word = claim.text.split()[0].strip(";.")
        assert lines[claim.line - 1][claim.col - 1 :].startswith(first_word)


FIELDS = """**Current level:** Senior (L3). **Proposed:** Staff (L4)
**Period covered:** Q3 last year through Q2 this year
**Design doc:** [Progressive delivery guardrails](https://example.invalid/rfc)

**Outcome**: six teams now ship config through the staged path.
- **Result:** halted 11 bad canaries before they reached users.
"""


def test_segmenting_bold_field_labels_are_dropped_and_split_fields_apart() -> None:
    claims = _claims(FIELDS)
    assert [c.text for c in claims] == [
        "Q3 last year through Q2 this year",
        "Progressive delivery guardrails",
        "six teams now ship config through the staged path.",
        "halted 11 bad canaries before they reached users.",
    ]  # "Senior (L3)." and "Staff (L4)" are too short to be claims once unlabelled
    lines = FIELDS.split("\n")
    for claim in claims:
        assert lines[claim.line - 1][claim.col - 1 :].startswith(claim.text.split()[0])


words = st.sampled_from(
    [
        "Led",
        "the",
        "migration",
        "we",
        "**bold**",
        "**Label:**",
        "[a](b)",
        "`x`",
        "3%",
        "|",
        "-",
        "#",
        "\n",
        "\n\n",
        "  ",
        "---",
        "```",
        "_",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(words, min_size=1, max_size=40).map(" ".join))
def test_segmenting_offsets_stay_inside_the_text(text: str) -> None:
    if not text.strip():
        return
    lines = text.split("\n")
    for claim in _claims(text):
        assert 1 <= claim.line <= len(lines)
        assert 1 <= claim.col <= len(lines[claim.line - 1]) + 1
