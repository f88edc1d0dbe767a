"""A reference implementation for the conformance tests: real server, real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server_with_broker

#: These servers take dozens of suite runs from one address within minutes (the fault
#: harness runs once per fault), far more than the three per window a default-configured
#: target holds (tests/conformance/test_back_to_back_runs.py checks those defaults);
#: per-address throttling (AUTH-013) is verified by the implementation's own tests.
SERVER_ENV = {"REFARCH_LOGIN_IP_MAX_FAILURES": "100000"}


@pytest.fixture(scope="module")
def reference(
    postgres: TestPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    database_url = postgres.fresh_database()
    base = tmp_path_factory.mktemp("reference")
    # a broker, as `refarch serve` starts one: analytics is fed only by it
    with reference_server_with_broker(base, database_url, env=SERVER_ENV) as server:
        yield server
    postgres.drop(database_url)
