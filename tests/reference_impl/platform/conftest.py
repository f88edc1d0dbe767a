"""Fixtures for the platform tests: the widgets fixture service on a real server.

The server is shared by the tests of one module (start-up costs ~0.5 s); tests that stop
the database or need their own settings start a dedicated one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from refarch.pg import Database
from refarch.reference_impl.platform.routing import SpecSource
from refarch.reference_impl.tokens import issue_access_token
from tests.reference_impl.platform.widgets import build_widget_services, write_widget_specs
from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server

WIDGET_BODY_LIMIT = 64 * 1024


@pytest.fixture(scope="session")
def widget_specs(tmp_path_factory: pytest.TempPathFactory) -> SpecSource:
    return write_widget_specs(tmp_path_factory.mktemp("widget-specs"))


@pytest.fixture(scope="module")
def widget_database_url(postgres: TestPostgres, widget_specs: SpecSource) -> Iterator[str]:
    url = postgres.fresh_database()
    yield url
    postgres.drop(url)


def start_widget_server(
    tmp_path: Path, database_url: str, specs: SpecSource, *, database: Database | None = None
) -> AbstractContextManager[ServerHandle]:
    return reference_server(
        tmp_path,
        database_url,
        services_factory=build_widget_services,
        app_options={"specs": specs},
        env={"REFARCH_BODY_LIMIT_BYTES": str(WIDGET_BODY_LIMIT)},
        database=database,
    )


@pytest.fixture(scope="module")
def widget_server(
    tmp_path_factory: pytest.TempPathFactory, widget_database_url: str, widget_specs: SpecSource
) -> Iterator[ServerHandle]:
    with start_widget_server(
        tmp_path_factory.mktemp("widget-server"), widget_database_url, widget_specs
    ) as server:
        yield server


@pytest.fixture
def admin_token(widget_server: ServerHandle) -> str:
    token, _ = issue_access_token(widget_server.settings, uuid.uuid4(), "admin")
    return token


@pytest.fixture
def customer_token(widget_server: ServerHandle) -> str:
    token, _ = issue_access_token(widget_server.settings, uuid.uuid4(), "customer")
    return token
