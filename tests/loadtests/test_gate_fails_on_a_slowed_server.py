"""A server that got slower fails the gate, and the verdict names exactly the slow operations."""

from __future__ import annotations

import pytest

from tests.loadtests.conftest import RunLoad, admin_of
from tests.loadtests.fault_proxy import Faults, fault_proxy
from tests.loadtests.faults_and_budgets import INJECTED_DELAY_MS, SHARED_RUNNER_BUDGET
from tests.support.server import ServerHandle


@pytest.mark.slow
def test_gate_fails_and_names_the_operations_that_became_slow(
    shop: ServerHandle, run_load: RunLoad
) -> None:
    slowed = Faults(delay_ms={"getProduct": INJECTED_DELAY_MS, "getOrder": INJECTED_DELAY_MS})
    with fault_proxy(shop.base_url, slowed) as slow_url:
        result = run_load(slow_url, "--thresholds", str(SHARED_RUNNER_BUDGET), admin=admin_of(shop))

    assert result.exit_code == 1, result.output
    assert result.verdict()["failed_operations"] == ["getOrder", "getProduct"]
    for name in ("getOrder", "getProduct"):
        assert result.operation(name)["reasons"][0].startswith("p95 "), result.output
    assert "FAIL: load gate (smoke profile, 10 users, 15 s): getOrder, getProduct" in result.output
    assert "Traceback" not in result.output
