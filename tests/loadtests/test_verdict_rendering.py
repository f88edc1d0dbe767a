"""The verdict names failing operations and why, identically in the terminal, Markdown and JSON."""

from __future__ import annotations

from refarch.loadtests import render
from refarch.loadtests.baseline import Baseline, BaselineOperation
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.summary import OperationStats, RunSummary
from refarch.loadtests.thresholds import Limits, RegressionMargins, Thresholds
from refarch.loadtests.verdict import judge

SHAPE = RunShape("smoke", 10, 10, 15)


def stats(
    name: str, *, p95: float = 10, failures: int = 0, samples: int = 200, rps: float = 20
) -> OperationStats:
    return OperationStats(
        name, samples, failures, p50_ms=p95 / 2, p95_ms=p95, p99_ms=p95 * 2, rps=rps
    )


def thresholds(**overall: float) -> Thresholds:
    budget = Limits(p95_ms=50, p99_ms=150, max_error_ratio=0.01)
    return Thresholds(
        overall=Limits(**overall),
        operations={"getProduct": budget, "listProducts": budget},
        regression=RegressionMargins(),
        source="test budgets",
    )


def run(*operations: OperationStats) -> RunSummary:
    total_samples = sum(op.samples for op in operations)
    total = OperationStats(
        "Aggregated", total_samples, sum(op.failures for op in operations), 5, 10, 20, 40
    )
    return RunSummary(list(operations), total, 15.0)


def test_a_run_within_budget_passes_everywhere() -> None:
    verdict = judge(run(stats("getProduct"), stats("listProducts")), SHAPE, thresholds())
    assert verdict.exit_code == 0
    assert render.to_terminal(verdict).splitlines()[-2].startswith("PASS")
    assert render.to_markdown(verdict).startswith("### ✅ PASS")
    assert render.to_json(verdict)["passed"] is True


def test_a_slow_operation_is_named_with_its_breach() -> None:
    verdict = judge(run(stats("getProduct", p95=320), stats("listProducts")), SHAPE, thresholds())
    assert verdict.exit_code == 1
    assert verdict.failed_operations == ["getProduct"]
    assert "getProduct: p95 320 ms > 50 ms" in render.to_terminal(verdict)
    markdown = render.to_markdown(verdict)
    assert markdown.startswith("### ❌ FAIL: load gate (smoke profile, 10 users, 15 s): getProduct")
    assert "| getProduct | 200 | 0.00% / 1.00% | 320 / 50 | 640 / 150 |" in markdown
    document = render.to_json(verdict)
    assert document["failed_operations"] == ["getProduct"]
    product = next(op for op in document["operations"] if op["operation"] == "getProduct")
    assert product["status"] == "FAIL"
    assert product["reasons"] == ["p95 320 ms > 50 ms", "p99 640 ms > 150 ms"]


def test_an_error_ratio_over_budget_fails_the_operation() -> None:
    verdict = judge(
        run(stats("getProduct", failures=10), stats("listProducts")), SHAPE, thresholds()
    )
    assert verdict.failed_operations == ["getProduct"]
    assert "errors 5.00% (10/200) > 1.00%" in render.to_terminal(verdict)


def test_an_overall_throughput_floor_fails_the_run_as_a_whole() -> None:
    verdict = judge(run(stats("getProduct")), SHAPE, thresholds(min_rps=100))
    assert verdict.exit_code == 1
    assert verdict.failed_operations == []
    assert "FAIL: load gate (smoke profile, 10 users, 15 s): overall" in render.to_terminal(verdict)


def test_a_regression_shows_baseline_and_delta() -> None:
    baseline = Baseline(
        SHAPE,
        {"getProduct": BaselineOperation(200, 10, 20, 20)},
        "2026-11-25T03:00:00+00:00",
        "main",
    )
    verdict = judge(run(stats("getProduct", p95=45)), SHAPE, thresholds(), baseline)
    assert verdict.failed_operations == ["getProduct"]
    assert (
        "| getProduct | 200 | 0.00% / 1.00% | 45 / 50 | 90 / 150 | 20.0 | 10 | +35 | FAIL |"
        in render.to_markdown(verdict)
    )
    assert "getProduct: p95 rose 10 -> 45 ms" in render.to_terminal(verdict)


def test_insufficient_samples_are_reported_as_such_not_as_a_pass() -> None:
    baseline = Baseline(
        SHAPE,
        {"getProduct": BaselineOperation(200, 10, 20, 20)},
        "2026-11-25T03:00:00+00:00",
        "main",
    )
    verdict = judge(run(stats("getProduct", p95=45, samples=5)), SHAPE, thresholds(), baseline)
    assert verdict.exit_code == 0  # no evidence of a regression either way
    assert verdict.rows[0].status == "insufficient samples"
    assert "No regression verdict for getProduct" in render.to_markdown(verdict)
    assert render.to_json(verdict)["operations"][0]["trend"] == "insufficient samples"
