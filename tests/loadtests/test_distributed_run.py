"""Distributed runs: the master alone hands over statistics, whether its workers are forked on
this host (--processes) or started elsewhere (--expect-workers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from refarch.loadtests.runner import LOCUSTFILE
from tests.loadtests.conftest import RunLoad, admin_of
from tests.loadtests.faults_and_budgets import SHARED_RUNNER_BUDGET
from tests.support.server import ServerHandle, free_port


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


@pytest.mark.slow
def test_a_remote_worker_gets_the_run_from_the_master_and_the_master_judges(
    shop: ServerHandle, run_load: RunLoad, tmp_path: Path
) -> None:
    """What the guide tells operators to run on other hosts, here on one host with its own port."""
    port = free_port()
    worker_command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE),
        "--worker", "--master-host", "127.0.0.1", "--master-port", str(port),
    ]  # fmt: skip
    with (tmp_path / "worker.log").open("w") as worker_log:
        # started first: a worker retries until its master is up
        worker = subprocess.Popen(
            worker_command, stdout=worker_log, stderr=subprocess.STDOUT, cwd=tmp_path
        )
        try:
            result = run_load(
                shop.base_url,
                "--expect-workers", "1",
                "--master-port", str(port),
                "--duration", "10s",
                "--thresholds", str(SHARED_RUNNER_BUDGET),
                admin=admin_of(shop),
            )  # fmt: skip
            worker_exit = worker.wait(timeout=30)  # the master tells its workers to quit
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    assert result.exit_code == 0, result.output
    assert worker_exit == 0
    assert "master waiting for 1 remote worker(s)" in result.output
    assert {"listProducts", "registerUser", "placeOrder"} <= {
        op["operation"] for op in result.verdict()["operations"]
    }
