"""Fixtures every part of the test suite may use. Area-specific ones live beside their tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import TestPostgres


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPostgres]:
    """One embedded PostgreSQL server per xdist worker, stopped at the end of the session."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    server = TestPostgres(tmp_path_factory.mktemp(f"pg-{worker}"))
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres: TestPostgres) -> Iterator[str]:
    """A fresh, fully migrated database for one test, dropped afterwards."""
    url = postgres.fresh_database()
    yield url
    postgres.drop(url)


@pytest.fixture
def empty_database_url(postgres: TestPostgres) -> Iterator[str]:
    """A fresh database with no migrations applied."""
    url = postgres.fresh_database(migrated=False)
    yield url
    postgres.drop(url)
