"""Every latency budget (x-slo) in the specs sits on a bucket boundary of the histogram."""

from __future__ import annotations

from refarch.reference_impl.platform.metrics import Metrics, latency_buckets
from refarch.specs import operations, versions


def spec_budgets_in_seconds() -> set[float]:
    return {
        int(op.spec["x-slo"][key]) / 1000
        for version in versions()
        for op in operations(version)
        if "x-slo" in op.spec
        for key in ("p95_ms", "p99_ms")
    }


def test_every_x_slo_budget_is_a_bucket_boundary() -> None:
    budgets = spec_budgets_in_seconds()
    assert {0.05, 0.15, 0.3, 0.4, 0.6} <= budgets  # the v1 budgets, so the check is not empty
    assert budgets <= set(latency_buckets())


def test_the_exported_histogram_has_a_bucket_at_every_budget() -> None:
    metrics = Metrics()
    metrics.latency.labels("placeOrder", "POST", "2xx").observe(0.12)
    exported = {
        float(sample.labels["le"])
        for metric in metrics.registry.collect()
        if metric.name == "refarch_http_request_duration_seconds"
        for sample in metric.samples
        if sample.name.endswith("_bucket") and sample.labels["le"] != "+Inf"
    }
    assert spec_budgets_in_seconds() <= exported


def test_buckets_are_strictly_increasing() -> None:
    buckets = latency_buckets()
    assert list(buckets) == sorted(set(buckets))
