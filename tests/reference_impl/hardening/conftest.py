"""One reference server per module for the hardening tests: real HTTP, real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server
from tests.support.shop import PASSWORD, login


@pytest.fixture(scope="module")
def server(
    postgres: TestPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    database_url = postgres.fresh_database()
    with reference_server(tmp_path_factory.mktemp("hardening"), database_url) as handle:
        yield handle
    postgres.drop(database_url)


@pytest.fixture
def client(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.api_url, timeout=30) as http:
        yield http


@pytest.fixture
def admin_headers(server: ServerHandle, client: httpx.Client) -> dict[str, str]:
    return login(client, server.admin_email, server.admin_password)


@pytest.fixture
def register(client: httpx.Client) -> Callable[..., tuple[str, str, dict[str, str]]]:
    """Register a fresh customer: (id, email, auth headers)."""

    def make(**fields: str) -> tuple[str, str, dict[str, str]]:
        email = f"hardening-{uuid.uuid4().hex[:12]}@example.test"
        body = {"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "L"}
        response = client.post("/auth/register", json={**body, **fields})
        assert response.status_code == 201, response.text
        return response.json()["id"], email, login(client, email, PASSWORD)

    return make
