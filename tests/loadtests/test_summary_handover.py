"""The statistics the Locust master hands over read back exactly, and a broken hand-over is exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refarch.loadtests.errors import CannotRun
from refarch.loadtests.summary import OperationStats, RunSummary, read_summary


def test_a_summary_reads_back_with_errors_and_journey_exceptions(tmp_path: Path) -> None:
    stats = OperationStats("placeOrder", 60, 3, 20, 80, 120, 4.0, {"HTTP 503, expected 201": 3})
    summary = RunSummary([stats], stats, 15.0, {"KeyError: 'id'": 2})
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary.to_json()), encoding="utf-8")
    assert read_summary(path) == summary
    assert read_summary(path).total.error_ratio == 0.05


@pytest.mark.parametrize(
    ("content", "message"), [(None, "without writing its statistics"), ("[]", "unreadable")]
)
def test_a_missing_or_foreign_summary_cannot_be_judged(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "summary.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CannotRun, match=message):
        read_summary(path)
