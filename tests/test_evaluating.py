from __future__ import annotations

import json

import pytest

from packet_eval.evaluating import Record, agreement, documents, qwk, spearman


def test_evaluating_qwk_perfect_and_hand_computed() -> None:
    assert qwk([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    # weights (i-j)^2/16: observed 1/16 (the 2->3 miss); expected sum(w*r_i*c_j)/n = 5/16
    assert qwk([1, 2, 3], [1, 3, 3]) == pytest.approx(1 - (1 / 16) / (5 / 16))


def test_evaluating_qwk_of_constant_prediction_is_zero() -> None:
    assert qwk([1, 2, 3, 4], [2, 2, 2, 2]) == pytest.approx(0.0)


def test_evaluating_spearman_handles_ties() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 1, 2, 2], [2, 2, 1, 1]) == pytest.approx(-1.0)


def _rec(i: int, level: int | None, track: str = "t") -> Record:
    return Record(
        id=str(i),
        text=f"claim {i}",
        level=level,
        rank=level,
        fields={"source_repo": "s", "track": track},
    )


def test_evaluating_agreement_counts_exact_and_adjacent() -> None:
    pairs = [(_rec(1, 1), 1), (_rec(2, 3), 2), (_rec(3, 5), 2), (_rec(4, None), 4)]
    row = agreement("all", pairs)
    assert row.n == 4
    assert row.exact == pytest.approx(1 / 3)
    assert row.adjacent == pytest.approx(2 / 3)
    assert row.confusion[4][1] == 1


def test_evaluating_documents_join_by_source_track_and_level() -> None:
    docs = documents(
        [_rec(1, 2), _rec(2, 2), _rec(3, 3), _rec(4, 2, "u")], ["source_repo", "track"]
    )
    assert sorted(d.text.count("\n") + 1 for d in docs) == [1, 1, 2]


def test_evaluating_reads_levels_written_as_batch_accepts_them(tmp_path) -> None:
    from packet_eval.evaluating import read_records

    rows = [{"text": "x", "level": v} for v in (3, "3", "L4", "l2", " L5 ", 7, "L9", True, None)]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert [r.level for r in read_records(path)] == [3, 3, 4, 2, 5, None, None, None, None]
