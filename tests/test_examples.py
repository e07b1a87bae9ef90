"""The bundled examples read as their front matter says: within one level, mostly exactly."""

from __future__ import annotations

import pytest

from packet_eval.api import evaluate
from tests.conftest import EXAMPLES

PACKETS = sorted(EXAMPLES.glob("*.md"))


@pytest.fixture(scope="module")
def readings() -> dict[str, tuple[int, int]]:
    out = {}
    for path in PACKETS:
        report = evaluate(path)
        assert report.expected_level is not None, f"{path.name} has no level in front matter"
        out[path.name] = (report.expected_level, report.level)
    return out


def test_examples_cover_every_level_and_five_roles() -> None:
    import yaml

    metas = [yaml.safe_load(p.read_text().split("---")[1]) for p in PACKETS]
    assert len(PACKETS) >= 12
    assert {m["level"] for m in metas} == {1, 2, 3, 4, 5}
    assert len({m["role"] for m in metas}) >= 5


@pytest.mark.parametrize("name", [p.name for p in PACKETS])
def test_examples_read_within_one_level(readings: dict[str, tuple[int, int]], name: str) -> None:
    expected, level = readings[name]
    assert abs(expected - level) <= 1, f"{name}: expected L{expected}, read L{level}"


def test_examples_read_exactly_on_at_least_70_percent(readings: dict[str, tuple[int, int]]) -> None:
    exact = sum(e == r for e, r in readings.values())
    assert exact / len(readings) >= 0.7, readings
