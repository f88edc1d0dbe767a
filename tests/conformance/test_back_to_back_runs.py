"""Running the suite again must never make a correct implementation fail.

Every request of a run comes from one address, and the reference implementation limits
failed logins (100) and registrations (30) per address in 15-minute windows. These servers
keep those defaults (unlike the other test servers, which raise them), and the runs follow
each other at once, inside one window: they fit because later runs reuse the accounts the
first one kept (conformance/kept_accounts.py), and checks that need a customer new in the
run (analytics, ANL-007) share the one the registration check makes. The server runs with a
broker, as `refarch serve` does, so the event and analytics checks are part of each run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from uuid import uuid4

import pytest

from refarch.conformance.budget import REPEAT_RUN_BUDGET, RUN_BUDGET
from refarch.conformance.cli import _state_dir
from refarch.conformance.kept_accounts import KEPT_ACCOUNTS_FILE, KEPT_ROLES
from tests.conformance.conform_runner import ConformRun, run_conform
from tests.support.postgres import TestPostgres
from tests.support.server import reference_server, reference_server_with_broker

pytestmark = pytest.mark.slow

#: a full run takes about 90 s alone on 2 cores, several times that beside other test workers
FULL_RUN_TIMEOUT_SECONDS = 1200
#: The reference's own per-address defaults (other test servers raise them).
DEFAULT_LIMITS = {"REFARCH_REGISTRATION_IP_MAX": "30", "REFARCH_LOGIN_IP_MAX_FAILURES": "100"}


def _spent(run: ConformRun) -> dict[str, int]:
    spent: dict[str, int] = run.report["run"]["address_budget"]["spent"]
    return spent


def _stale_kept_accounts(report_dir: Path, base_url: str) -> None:
    """Kept accounts as a reset target leaves them: stored, but unknown to the target."""
    state = _state_dir(report_dir, base_url)
    state.mkdir(parents=True)
    stale = {
        role: {"email": f"gone-{role}@example.com", "password": "x" * 20, "user_id": str(uuid4())}
        for role in KEPT_ROLES
    }
    (state / KEPT_ACCOUNTS_FILE).write_text(json.dumps(stale), encoding="utf-8")


def test_three_back_to_back_full_runs_pass_with_every_default_limit(
    postgres: TestPostgres, tmp_path: Path
) -> None:
    # every run writes to one report directory, as a CI job re-run does, so later runs reuse
    # the accounts the first one kept; the first starts from the state of a reset target
    database_url = postgres.fresh_database()
    runs = []
    try:
        with reference_server_with_broker(
            tmp_path / "server", database_url, env=DEFAULT_LIMITS
        ) as server:
            _stale_kept_accounts(tmp_path / "report", server.base_url)
            for _ in range(3):
                started = time.monotonic()
                run = run_conform(
                    server.base_url, tmp_path / "report",
                    admin_email=server.admin_email, admin_password=server.admin_password,
                    timeout=FULL_RUN_TIMEOUT_SECONDS,
                )  # fmt: skip
                runs.append(
                    (run, time.monotonic() - started, _spent(run) if run.exit_code == 0 else {})
                )
    finally:
        postgres.drop(database_url)
    for number, (run, seconds, spent_by_run) in enumerate(runs, start=1):
        print(f"run {number}: exit {run.exit_code} in {seconds:.0f} s, spent {spent_by_run}")
    for number, (run, seconds, _) in enumerate(runs, start=1):
        assert run.exit_code == 0, f"run {number} ({seconds:.0f} s):\n{run.output[-6000:]}"
    spent = [spent for _, _, spent in runs]
    first, repeats = spent[0], spent[1:]
    assert first["registrations"] <= RUN_BUDGET.registrations, spent
    assert all(s["registrations"] <= REPEAT_RUN_BUDGET.registrations for s in repeats), spent
    assert all(s["failed_logins"] <= RUN_BUDGET.failed_logins for s in spent), spent
    # the reference's defaults, so three runs in one window must fit them
    assert sum(s["registrations"] for s in spent) <= int(
        DEFAULT_LIMITS["REFARCH_REGISTRATION_IP_MAX"]
    )
    assert sum(s["failed_logins"] for s in spent) <= int(
        DEFAULT_LIMITS["REFARCH_LOGIN_IP_MAX_FAILURES"]
    )


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
