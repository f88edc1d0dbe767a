"""Every deliberate event fault makes ``refarch conform --broker-url`` fail, naming the
requirement it breaks; without a fault the same selection passes.

One reference implementation with a real nats-server serves all faults; a switch puts one
in force per suite run, and each run selects only the requirements that fault targets.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refarch.nats_server import EmbeddedBroker, temporary
from tests.conformance.conform_runner import ConformRun, run_conform
from tests.conformance.conftest import SERVER_ENV
from tests.conformance.faults.asgi import Fault, FaultSwitch
from tests.conformance.faults.event_faults import EVENT_FAULTS, restore_unit_of_work
from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server

pytestmark = pytest.mark.slow

#: A fault that drops an event makes the journey wait this long for it, once per step.
EVENT_TIMEOUT = "3"


class EventFaultyReference:
    def __init__(self, server: ServerHandle, broker: EmbeddedBroker, switch: FaultSwitch) -> None:
        self.server, self.broker, self.switch = server, broker, switch

    def conform(self, report_dir: Path, requirements: tuple[str, ...]) -> ConformRun:
        return run_conform(
            self.server.base_url, report_dir, "--quick", "--seed", "7",
            "--broker-url", self.broker.url, "--event-timeout", EVENT_TIMEOUT,
            "--requirements", ",".join(requirements),
            admin_email=self.server.admin_email, admin_password=self.server.admin_password,
        )  # fmt: skip


@pytest.fixture(scope="module")
def faulty_events(
    postgres: TestPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EventFaultyReference]:
    switch = FaultSwitch()

    database_url = postgres.fresh_database()
    base: Path = tmp_path_factory.mktemp("event-faults")
    try:
        with temporary(base / "nats") as broker:
            env = {**SERVER_ENV, "NATS_URL": broker.url}
            with reference_server(
                base, database_url, env=env, services_factory=switch.services_factory(EVENT_FAULTS)
            ) as server:
                yield EventFaultyReference(server, broker, switch)
    finally:
        restore_unit_of_work()
        postgres.drop(database_url)


def test_there_are_at_least_8_distinct_event_faults() -> None:
    assert len({fault.name for fault in EVENT_FAULTS}) == len(EVENT_FAULTS) >= 8


def test_without_a_fault_the_event_requirements_pass(
    faulty_events: EventFaultyReference, tmp_path: Path
) -> None:
    # guards against a fault "caught" by a check that fails anyway
    targeted = tuple(sorted({rid for fault in EVENT_FAULTS for rid in fault.select}))
    run = faulty_events.conform(tmp_path, targeted)
    assert run.exit_code == 0, run.output[-6000:]


@pytest.mark.parametrize("fault", EVENT_FAULTS, ids=lambda fault: fault.name)
def test_the_suite_fails_on_the_event_fault_and_names_the_requirement(
    faulty_events: EventFaultyReference, fault: Fault, tmp_path: Path
) -> None:
    faulty_events.switch.active = fault
    try:
        run = faulty_events.conform(tmp_path, fault.select)
    finally:
        faulty_events.switch.active = None
    assert run.exit_code == 1, f"{fault.name} went unnoticed:\n{run.output[-4000:]}"
    assert fault.requirement in run.failed_requirements(), run.failed_requirements()
    assert f"FAIL {fault.requirement} " in run.output, "the CI log names the broken requirement"
