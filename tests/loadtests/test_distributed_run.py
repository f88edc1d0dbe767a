"""--processes runs Locust's master and workers on one host; the master alone hands over statistics."""

from __future__ import annotations

import pytest

from tests.loadtests.conftest import RunLoad, admin_of
from tests.loadtests.faults_and_budgets import SHARED_RUNNER_BUDGET
from tests.support.server import ServerHandle


@pytest.mark.slow
def test_a_run_with_two_worker_processes_is_judged_once_on_the_aggregated_statistics(
    shop: ServerHandle, run_load: RunLoad
) -> None:
    result = run_load(
        shop.base_url,
        "--processes", "2",
        "--duration", "10s",
        "--thresholds", str(SHARED_RUNNER_BUDGET),
        admin=admin_of(shop),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "2 process(es)" in result.output
    verdict = result.verdict()
    operations = verdict["operations"]
    # users of both workers: every journey is present, and the total is the sum of operations
    assert {"listProducts", "registerUser", "placeOrder"} <= {op["operation"] for op in operations}
    assert verdict["overall"]["observed"]["requests"] == sum(
        op["observed"]["requests"] for op in operations
    )
