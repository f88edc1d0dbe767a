"""Regression against a baseline: both margins must be beaten, and too few samples give no verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refarch.loadtests.baseline import (
    BaselineOperation,
    Trend,
    compare,
    load_baseline,
    save_baseline,
)
from refarch.loadtests.errors import CannotRun
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.summary import OperationStats, RunSummary
from refarch.loadtests.thresholds import RegressionMargins

MARGINS = RegressionMargins(
    p95_relative=0.25, p95_absolute_ms=10, rps_relative=0.25, rps_absolute=1, min_samples=30
)


def judged(
    p95_ms: float,
    rps: float = 50,
    *,
    samples: int = 100,
    base_p95: float = 20,
    base_rps: float = 50,
    base_samples: int = 100,
    same_shape: bool = True,
) -> Trend:
    return compare(
        samples=samples,
        p95_ms=p95_ms,
        rps=rps,
        baseline=BaselineOperation(
            samples=base_samples, p95_ms=base_p95, p99_ms=base_p95 * 2, rps=base_rps
        ),
        margins=MARGINS,
        same_shape=same_shape,
    ).trend


def test_a_p95_rise_beyond_both_margins_is_a_regression() -> None:
    assert judged(p95_ms=40, base_p95=20) is Trend.REGRESSED


def test_a_large_relative_but_tiny_absolute_rise_is_noise() -> None:
    assert judged(p95_ms=8, base_p95=4) is Trend.UNCHANGED  # +100 % but only +4 ms


def test_a_large_absolute_but_small_relative_rise_is_noise() -> None:
    assert judged(p95_ms=450, base_p95=400) is Trend.UNCHANGED  # +50 ms but only +12.5 %


def test_a_throughput_drop_beyond_both_margins_is_a_regression() -> None:
    assert judged(p95_ms=20, rps=30, base_rps=50) is Trend.REGRESSED


def test_throughput_is_not_compared_across_different_load_shapes() -> None:
    assert judged(p95_ms=20, rps=30, base_rps=50, same_shape=False) is Trend.UNCHANGED


@pytest.mark.parametrize(("samples", "base_samples"), [(29, 100), (100, 29)])
def test_too_few_samples_on_either_side_give_no_verdict(samples: int, base_samples: int) -> None:
    assert (
        judged(p95_ms=400, samples=samples, base_samples=base_samples) is Trend.INSUFFICIENT_SAMPLES
    )


def test_an_operation_missing_from_the_baseline_is_said_so() -> None:
    comparison = compare(
        samples=100, p95_ms=5, rps=5, baseline=None, margins=MARGINS, same_shape=True
    )
    assert comparison.trend is Trend.NO_BASELINE


def test_a_saved_baseline_reads_back(tmp_path: Path) -> None:
    stats = OperationStats(
        "getProduct", samples=120, failures=0, p50_ms=3, p95_ms=9, p99_ms=20, rps=12.5
    )
    shape = RunShape("smoke", 10, 10, 15)
    path = tmp_path / "nested" / "baseline.json"
    save_baseline(path, RunSummary([stats], stats, 15.0), shape, source="http://127.0.0.1:1")
    baseline = load_baseline(path)
    assert baseline.shape == shape
    assert baseline.operations["getProduct"] == BaselineOperation(
        samples=120, p95_ms=9, p99_ms=20, rps=12.5
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "not readable JSON"),
        (json.dumps({"format": "something-else/1"}), "not a refarch load baseline"),
        (
            json.dumps({"format": "refarch-load-baseline/1", "shape": {}}),
            "not a refarch load baseline",
        ),
    ],
)
def test_a_bad_baseline_file_cannot_be_used(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CannotRun, match=message):
        load_baseline(path)
