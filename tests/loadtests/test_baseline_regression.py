"""A baseline from a fast run flags a slowed server, and two runs of one server do not flag each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.loadtests.conftest import RunLoad, admin_of
from tests.loadtests.fault_proxy import Faults, fault_proxy
from tests.loadtests.faults_and_budgets import INJECTED_DELAY_MS, SHARED_RUNNER_BUDGET
from tests.support.server import ServerHandle


@pytest.mark.slow
def test_a_fast_baseline_flags_the_slowed_server_and_not_a_second_fast_run(
    shop: ServerHandle, run_load: RunLoad, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    budget = ("--thresholds", str(SHARED_RUNNER_BUDGET))

    first = run_load(shop.base_url, *budget, "--save-baseline", str(baseline), admin=admin_of(shop))
    assert first.exit_code == 0, first.output
    assert baseline.is_file()

    second = run_load(shop.base_url, *budget, "--baseline", str(baseline), admin=admin_of(shop))
    assert second.exit_code == 0, second.output
    trends = {op["operation"]: op["trend"] for op in second.verdict()["operations"]}
    assert "regressed" not in trends.values(), second.output
    assert trends["getProduct"] == "within margins"  # it was compared, not skipped
    # the baseline keeps its curves over time, and the next run's charts draw them
    chart = (second.report_dir / "charts" / "getProduct.svg").read_text(encoding="utf-8")
    assert 'id="baseline-p95"' in chart and 'id="baseline-rps"' in chart

    with fault_proxy(shop.base_url, Faults(delay_ms={"getProduct": INJECTED_DELAY_MS})) as slow_url:
        slowed = run_load(slow_url, *budget, "--baseline", str(baseline), admin=admin_of(shop))
    assert slowed.exit_code == 1, slowed.output
    regressed = [
        op["operation"] for op in slowed.verdict()["operations"] if op["trend"] == "regressed"
    ]
    assert regressed == ["getProduct"], slowed.output
    assert any(
        reason.startswith("p95 rose") for reason in slowed.operation("getProduct")["reasons"]
    )
