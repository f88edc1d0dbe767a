"""The on-request AUTH-016 check: it passes against a throttled registration and fails,
naming AUTH-016, against one that is not throttled (a limit above what it tries)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.conform_runner import ConformRun, run_conform
from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server

pytestmark = pytest.mark.slow


def _check(server: ServerHandle, report_dir: Path) -> ConformRun:
    return run_conform(
        server.base_url, report_dir, "--quick", "--requirements", "AUTH-016",
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip


def test_a_throttled_registration_passes_the_check(postgres: TestPostgres, tmp_path: Path) -> None:
    database_url = postgres.fresh_database()
    try:
        env = {"REFARCH_REGISTRATION_IP_MAX": "5"}
        with reference_server(tmp_path / "server", database_url, env=env) as server:
            run = _check(server, tmp_path / "report")
    finally:
        postgres.drop(database_url)
    assert run.exit_code == 0, run.output[-4000:]
    assert run.requirement_status()["AUTH-016"] == "passed"


def test_an_unthrottled_registration_fails_the_check(
    reference: ServerHandle, tmp_path: Path
) -> None:
    # the module's server allows 100000 registrations per address: no 429 within the check
    run = _check(reference, tmp_path)
    assert run.exit_code == 1, run.output[-4000:]
    assert run.failed_requirements() == {"AUTH-016"}
    assert "FAIL AUTH-016 " in run.output
