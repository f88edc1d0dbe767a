"""``refarch conform --broker-url`` against the reference implementation on a real
nats-server: every EVT requirement passes; without the option they are skipped, saying why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refarch.nats_server import EmbeddedBroker, temporary
from tests.conformance.conform_runner import run_conform
from tests.conformance.conftest import SERVER_ENV
from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server

EVENT_REQUIREMENTS = tuple(f"EVT-00{n}" for n in range(1, 9))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    with temporary(tmp_path_factory.mktemp("nats")) as server:
        yield server


@pytest.fixture(scope="module")
def reference_with_broker(
    postgres: TestPostgres, broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    database_url = postgres.fresh_database()
    env = {**SERVER_ENV, "NATS_URL": broker.url}
    with reference_server(tmp_path_factory.mktemp("reference"), database_url, env=env) as server:
        yield server
    postgres.drop(database_url)


def test_the_reference_implementation_keeps_every_event_promise(
    reference_with_broker: ServerHandle, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    server = reference_with_broker
    run = run_conform(
        server.base_url, tmp_path, "--quick", "--broker-url", broker.url,
        "--requirements", ",".join(EVENT_REQUIREMENTS),
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip

    assert run.exit_code == 0, run.output[-6000:]
    status = run.requirement_status()
    assert {rid: status[rid] for rid in EVENT_REQUIREMENTS} == dict.fromkeys(
        EVENT_REQUIREMENTS, "passed"
    )


def test_without_a_broker_url_the_event_tests_are_skipped_with_the_reason(
    reference_with_broker: ServerHandle, tmp_path: Path
) -> None:
    server = reference_with_broker
    run = run_conform(
        server.base_url, tmp_path, "--quick", "--requirements", "EVT-001,EVT-003",
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip

    assert run.exit_code == 0, run.output[-4000:]
    entries = {entry["id"]: entry for entry in run.report["requirements"]}
    for rid in ("EVT-001", "EVT-003"):
        assert entries[rid]["status"] == "skipped"
        assert "no --broker-url given" in entries[rid]["reason"]


def test_a_broker_without_the_event_stream_stops_the_run_with_exit_2(
    reference_with_broker: ServerHandle, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    server = reference_with_broker
    run = run_conform(
        server.base_url, tmp_path, "--broker-url", broker.url, "--subject-prefix", "elsewhere",
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip

    assert run.exit_code == 2
    assert "no JetStream stream stores the subjects elsewhere.>" in run.output
