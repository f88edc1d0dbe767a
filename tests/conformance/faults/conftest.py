"""One reference implementation per test module with every fault installed and switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refarch.reference_impl.settings import Settings
from tests.conformance.conftest import SERVER_ENV
from tests.conformance.faults.asgi import Fault, FaultSwitch, FaultyApp
from tests.conformance.faults.http_faults import HTTP_FAULTS
from tests.conformance.faults.input_faults import INPUT_FAULTS
from tests.conformance.faults.promise_faults import PROMISE_FAULTS
from tests.conformance.faults.protocol_faults import PROTOCOL_FAULTS
from tests.conformance.faults.service_faults import SERVICE_FAULTS
from tests.conformance.faults.state_faults import STATE_FAULTS
from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server

ALL_FAULTS: list[Fault] = [
    *HTTP_FAULTS,
    *SERVICE_FAULTS,
    *INPUT_FAULTS,
    *PROTOCOL_FAULTS,
    *STATE_FAULTS,
    *PROMISE_FAULTS,
]


class FaultyReference:
    def __init__(self, server: ServerHandle, switch: FaultSwitch) -> None:
        self.server = server
        self.switch = switch


@pytest.fixture(scope="module")
def faulty_reference(
    postgres: TestPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultyReference]:
    switch = FaultSwitch()

    def faulty_app(app: Any, settings: Settings) -> Any:
        return FaultyApp(app, switch, settings)

    database_url = postgres.fresh_database()
    base: Path = tmp_path_factory.mktemp("faulty")
    with reference_server(
        base,
        database_url,
        env=SERVER_ENV,
        services_factory=switch.services_factory(ALL_FAULTS),
        asgi_wrapper=faulty_app,
    ) as server:
        yield FaultyReference(server, switch)
    postgres.drop(database_url)
