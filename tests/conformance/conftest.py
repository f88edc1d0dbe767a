"""A reference implementation for the conformance tests: real server, real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from refarch.nats_server import temporary
from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server

#: These servers take dozens of suite runs from one address within minutes (the fault
#: harness runs once per fault), far more than the three per window a default-configured
#: target holds (tests/conformance/test_back_to_back_runs.py checks those defaults);
#: per-address throttling (AUTH-013) is verified by the implementation's own tests.
SERVER_ENV = {"REFARCH_LOGIN_IP_MAX_FAILURES": "100000"}
#: With a broker: a batch whose acks were lost on a busy CI machine comes back in 2 s, so
#: the analytics lag the suite waits for (ANL-009) clears well within its deadline.
BROKER_ENV = {"REFARCH_EVENT_ACK_WAIT_SECONDS": "2"}


@pytest.fixture(scope="module")
def reference(
    postgres: TestPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    database_url = postgres.fresh_database()
    base = tmp_path_factory.mktemp("reference")
    # a broker, as `refarch serve` starts one: analytics is fed only by it
    with (
        temporary(base / "nats") as broker,
        reference_server(
            base, database_url, env={**SERVER_ENV, **BROKER_ENV, "NATS_URL": broker.url}
        ) as server,
    ):
        yield server
    postgres.drop(database_url)
