"""The analytics checks fail on each analytics fault and name the requirement broken.

Like test_faults.py, with a reference implementation fed by a real broker (analytics
consumes only the broker) and the analytics faults installed, switched off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refarch.nats_server import temporary
from tests.conformance.conform_runner import ConformRun, run_conform
from tests.conformance.conftest import SERVER_ENV
from tests.conformance.faults.analytics_faults import ANALYTICS_FAULTS
from tests.conformance.faults.asgi import Fault, FaultSwitch
from tests.support.postgres import TestPostgres
from tests.support.server import BROKER_ENV, ServerHandle, reference_server

pytestmark = pytest.mark.slow

#: Every ANL requirement the black-box suite checks (ANL-010 and ANL-011 need the
#: implementation's insides: its own tests prove them).
ANL_CHECKED = tuple(f"ANL-{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12))


@pytest.fixture(scope="module")
def faulty(
    postgres: TestPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerHandle, FaultSwitch]]:
    switch = FaultSwitch()

    database_url = postgres.fresh_database()
    base: Path = tmp_path_factory.mktemp("faulty-analytics")
    with (
        temporary(base / "nats") as broker,
        reference_server(
            base,
            database_url,
            env={**SERVER_ENV, **BROKER_ENV, "NATS_URL": broker.url},
            services_factory=switch.services_factory(ANALYTICS_FAULTS),
        ) as server,
    ):
        yield server, switch
    postgres.drop(database_url)


def _conform(server: ServerHandle, report_dir: Path, requirements: tuple[str, ...]) -> ConformRun:
    return run_conform(
        server.base_url, report_dir, "--quick", "--seed", "7", "--requirements", ",".join(requirements),
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip


def test_without_a_fault_the_analytics_requirements_pass(
    faulty: tuple[ServerHandle, FaultSwitch], tmp_path: Path
) -> None:
    server, _ = faulty
    run = _conform(server, tmp_path, ANL_CHECKED)
    assert run.exit_code == 0, run.output[-6000:]
    statuses = run.requirement_status()
    assert {rid: statuses.get(rid) for rid in ANL_CHECKED} == dict.fromkeys(ANL_CHECKED, "passed")


@pytest.mark.parametrize("fault", ANALYTICS_FAULTS, ids=lambda fault: fault.name)
def test_the_analytics_checks_fail_on_the_fault_and_name_the_requirement(
    faulty: tuple[ServerHandle, FaultSwitch], fault: Fault, tmp_path: Path
) -> None:
    server, switch = faulty
    switch.active = fault
    try:
        run = _conform(server, tmp_path, fault.select)
    finally:
        switch.active = None
    assert run.exit_code == 1, f"{fault.name} went unnoticed:\n{run.output[-4000:]}"
    assert fault.requirement in run.failed_requirements(), run.failed_requirements()
