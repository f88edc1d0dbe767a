"""A server answering a few percent of requests with 503 fails the gate on those operations."""

from __future__ import annotations

import pytest

from tests.loadtests.conftest import RunLoad, admin_of
from tests.loadtests.fault_proxy import Faults, fault_proxy
from tests.loadtests.faults_and_budgets import SHARED_RUNNER_BUDGET
from tests.support.server import ServerHandle


@pytest.mark.slow
def test_gate_fails_and_names_the_operations_answering_5xx(
    shop: ServerHandle, run_load: RunLoad
) -> None:
    flaky = Faults(fail_every={"getProduct": 20, "placeOrder": 20})  # 5 %, deterministic
    with fault_proxy(shop.base_url, flaky) as flaky_url:
        result = run_load(
            flaky_url, "--thresholds", str(SHARED_RUNNER_BUDGET), admin=admin_of(shop)
        )

    assert result.exit_code == 1, result.output
    assert result.verdict()["failed_operations"] == ["getProduct", "placeOrder"]
    product = result.operation("getProduct")
    assert product["reasons"][0].startswith("errors "), result.output
    assert set(product["errors"]) == {"HTTP 503, expected 200"}
    assert set(result.operation("placeOrder")["errors"]) == {"HTTP 503, expected 201"}
    assert result.verdict()["overall"]["observed"]["failures"] == (
        product["observed"]["failures"] + result.operation("placeOrder")["observed"]["failures"]
    )
