"""The gate: judge a run's statistics against thresholds and an optional baseline.

Pure functions over plain data, so every rule here is unit-tested without starting Locust.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from refarch.loadtests.baseline import Baseline, Comparison, Trend, compare
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.summary import OperationStats, RunSummary
from refarch.loadtests.thresholds import Limits, Thresholds

__all__ = ["OVERALL", "Row", "Verdict", "breaches", "judge"]

OVERALL = "overall"


@dataclass(frozen=True)
class Row:
    stats: OperationStats
    limits: Limits
    comparison: Comparison
    breaches: tuple[str, ...]  # threshold violations, readable

    @property
    def name(self) -> str:
        return self.stats.name

    @property
    def regressed(self) -> bool:
        return self.comparison.trend is Trend.REGRESSED

    @property
    def failed(self) -> bool:
        return bool(self.breaches) or self.regressed

    @property
    def status(self) -> str:
        if self.failed:
            return "FAIL"
        if self.comparison.trend is Trend.INSUFFICIENT_SAMPLES:
            return "insufficient samples"
        return "pass"

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.breaches + (
            self.comparison.reasons if self.comparison.trend is not Trend.UNCHANGED else ()
        )


@dataclass(frozen=True)
class Verdict:
    shape: RunShape
    rows: list[Row]  # one per operation, sorted by name
    overall: Row
    thresholds_source: str
    baseline: Baseline | None = None
    notes: list[str] = field(default_factory=list)
    #: set when Ctrl-C stopped the run early: the figures are partial and decide nothing
    interrupted_after_s: float | None = None

    @property
    def interrupted(self) -> bool:
        return self.interrupted_after_s is not None

    @property
    def passed(self) -> bool:
        return (
            not self.interrupted
            and not self.overall.failed
            and not any(row.failed for row in self.rows)
        )

    @property
    def failed_operations(self) -> list[str]:
        return [row.name for row in self.rows if row.failed]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 2  # like any run that could not happen: it says nothing about the target
        return 0 if self.passed else 1


def breaches(stats: OperationStats, limits: Limits) -> tuple[str, ...]:
    found: list[str] = []
    if limits.p95_ms is not None and stats.p95_ms > limits.p95_ms:
        found.append(f"p95 {stats.p95_ms:g} ms > {limits.p95_ms:g} ms")
    if limits.p99_ms is not None and stats.p99_ms > limits.p99_ms:
        found.append(f"p99 {stats.p99_ms:g} ms > {limits.p99_ms:g} ms")
    if limits.max_error_ratio is not None and stats.error_ratio > limits.max_error_ratio:
        found.append(
            f"errors {stats.error_ratio:.2%} ({stats.failures}/{stats.samples}) > {limits.max_error_ratio:.2%}"
        )
    if limits.min_rps is not None and stats.rps < limits.min_rps:
        found.append(f"throughput {stats.rps:.1f} req/s < {limits.min_rps:g} req/s")
    return tuple(found)


def judge(
    summary: RunSummary,
    shape: RunShape,
    thresholds: Thresholds,
    baseline: Baseline | None = None,
) -> Verdict:
    same_shape = baseline is not None and baseline.shape == shape
    notes: list[str] = []
    if baseline is not None and not same_shape:
        notes.append(
            "The baseline was recorded with a different load shape "
            f"({baseline.shape.profile}, {baseline.shape.users} users, {baseline.shape.duration_s} s); "
            "throughput is not compared, latency is."
        )

    def row(stats: OperationStats, limits: Limits) -> Row:
        comparison = compare(
            samples=stats.samples,
            p95_ms=stats.p95_ms,
            rps=stats.rps,
            baseline=baseline.operations.get(stats.name) if baseline else None,
            margins=thresholds.regression,
            same_shape=same_shape,
        )
        return Row(stats, limits, comparison, breaches(stats, limits))

    rows = [
        row(stats, thresholds.for_operation(stats.name))
        for stats in sorted(summary.operations, key=lambda s: s.name)
    ]
    overall_stats = OperationStats(
        name=OVERALL,
        samples=summary.total.samples,
        failures=summary.total.failures,
        p50_ms=summary.total.p50_ms,
        p95_ms=summary.total.p95_ms,
        p99_ms=summary.total.p99_ms,
        rps=summary.total.rps,
        errors=summary.total.errors,
    )
    # the run as a whole is judged on thresholds only: its mix of operations is random, so
    # its p95 moves with the mix; regressions are judged per operation
    overall = Row(
        overall_stats,
        thresholds.overall,
        Comparison(Trend.NO_BASELINE, None),
        breaches(overall_stats, thresholds.overall),
    )
    insufficient = [r.name for r in rows if r.comparison.trend is Trend.INSUFFICIENT_SAMPLES]
    if insufficient:
        notes.append(
            f"No regression verdict for {', '.join(insufficient)}: fewer than "
            f"{thresholds.regression.min_samples} requests in this run or the baseline."
        )
    return Verdict(shape, rows, overall, thresholds.source, baseline, notes)
