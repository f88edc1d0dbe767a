"""Running the suite again must never make a correct implementation fail.

Every request of a run comes from one address, and the reference implementation limits
failed logins (100) and registrations (30) per address in 15-minute windows. These servers
keep those defaults (unlike the other test servers, which raise them), and the runs follow
each other at once, inside one window.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from refarch.conformance.budget import RUN_BUDGET
from tests.conformance.conform_runner import ConformRun, run_conform
from tests.support.postgres import TestPostgres
from tests.support.server import reference_server

pytestmark = pytest.mark.slow

#: a full run takes about 90 s alone on 2 cores, several times that beside other test workers
FULL_RUN_TIMEOUT_SECONDS = 1200
#: The reference's own per-address defaults (other test servers raise them).
DEFAULT_LIMITS = {"REFARCH_REGISTRATION_IP_MAX": "30", "REFARCH_LOGIN_IP_MAX_FAILURES": "100"}


def _three_runs(
    postgres: TestPostgres, tmp_path: Path, env: dict[str, str], *args: str
) -> list[tuple[ConformRun, float]]:
    database_url = postgres.fresh_database()
    runs = []
    try:
        with reference_server(tmp_path / "server", database_url, env=env) as server:
            for number in range(3):
                started = time.monotonic()
                run = run_conform(
                    server.base_url, tmp_path / f"run-{number}", *args,
                    admin_email=server.admin_email, admin_password=server.admin_password,
                    timeout=FULL_RUN_TIMEOUT_SECONDS,
                )  # fmt: skip
                runs.append((run, time.monotonic() - started))
    finally:
        postgres.drop(database_url)
    return runs


def _spent(run: ConformRun) -> dict[str, int]:
    spent: dict[str, int] = run.report["run"]["address_budget"]["spent"]
    return spent


def test_three_back_to_back_full_runs_pass_with_the_default_login_limits(
    postgres: TestPostgres, tmp_path: Path
) -> None:
    # registrations raised to what three runs need, as the conformance guide tells operators
    env = {**DEFAULT_LIMITS, "REFARCH_REGISTRATION_IP_MAX": str(3 * RUN_BUDGET.registrations)}
    runs = _three_runs(postgres, tmp_path, env)
    for number, (run, seconds) in enumerate(runs, start=1):
        assert run.exit_code == 0, f"run {number} ({seconds:.0f} s):\n{run.output[-6000:]}"
        spent = _spent(run)
        assert spent["failed_logins"] <= RUN_BUDGET.failed_logins, spent
        assert spent["registrations"] <= RUN_BUDGET.registrations, spent


def test_at_the_default_registration_limit_a_run_passes_or_stops_as_a_setup_problem(
    postgres: TestPostgres, tmp_path: Path
) -> None:
    # 30 registrations per window hold two runs; a third in the same window must be told it
    # was throttled, never that the implementation broke a requirement (the windows are
    # fixed, so the runs may straddle two of them and all pass)
    runs = _three_runs(postgres, tmp_path, DEFAULT_LIMITS, "--quick")
    codes = [run.exit_code for run, _ in runs]
    assert codes[0] == 0, runs[0][0].output[-6000:]
    for run, _ in runs:
        if run.exit_code == 2:
            assert "the target throttled the suite's client address" in run.output, run.output
            assert "Retry-After " in run.output and "s." in run.output, run.output
        else:
            assert run.exit_code == 0, run.output[-6000:]


def test_a_target_that_throttles_the_suite_stops_the_run_with_exit_2(
    postgres: TestPostgres, tmp_path: Path
) -> None:
    # three registrations per window: the run's fourth account is refused with 429, which
    # must end the run as "cannot run", naming the throttle and the wait, never as a failure
    # of the requirement whose check happened to register it
    database_url = postgres.fresh_database()
    try:
        env = {"REFARCH_REGISTRATION_IP_MAX": "3"}
        with reference_server(tmp_path / "server", database_url, env=env) as server:
            run = run_conform(
                server.base_url, tmp_path / "report", "--quick",
                admin_email=server.admin_email, admin_password=server.admin_password,
            )  # fmt: skip
    finally:
        postgres.drop(database_url)
    assert run.exit_code == 2, run.output[-6000:]
    assert "cannot run: the target throttled the suite's client address" in run.output
    assert "POST /auth/register answered 429, Retry-After " in run.output
    assert "FAIL " not in run.output, "no requirement is blamed for the target's throttle"
