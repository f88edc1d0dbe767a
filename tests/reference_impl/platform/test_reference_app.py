"""The platform serving the real v1 specs and services: every operation bound, and the
gateway behaviour holds on the real contracts, with response validation on."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server


@pytest.fixture(scope="module")
def app_server(
    postgres: TestPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    url = postgres.fresh_database()
    try:
        with reference_server(tmp_path_factory.mktemp("reference-app"), url) as server:
            yield server
    finally:
        postgres.drop(url)


def test_ready_once_migrated_and_every_operation_bound(app_server: ServerHandle) -> None:
    response = httpx.get(f"{app_server.api_url}/ready")
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_limit_above_the_maximum_is_422_naming_the_parameter(app_server: ServerHandle) -> None:
    response = httpx.get(f"{app_server.api_url}/products", params={"limit": 101})
    assert response.status_code == 422
    assert [(e["in"], e["field"]) for e in response.json()["errors"]] == [("query", "/limit")]


def test_405_allow_lists_the_methods_of_the_real_path(app_server: ServerHandle) -> None:
    response = httpx.delete(f"{app_server.api_url}/products")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_malformed_json_on_a_public_operation_is_400(app_server: ServerHandle) -> None:
    response = httpx.post(
        f"{app_server.api_url}/auth/register",
        content=b"{",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_secured_operation_without_token_is_401(app_server: ServerHandle) -> None:
    response = httpx.get(f"{app_server.api_url}/users/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="refarch"'


def test_admin_login_and_an_admin_operation(app_server: ServerHandle) -> None:
    login = httpx.post(
        f"{app_server.api_url}/auth/login",
        json={"email": app_server.admin_email, "password": app_server.admin_password},
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    users = httpx.get(f"{app_server.api_url}/users", headers={"authorization": f"Bearer {token}"})
    assert users.status_code == 200, users.text
    assert app_server.admin_email in {user["email"] for user in users.json()["items"]}


def test_metrics_carry_the_real_operation_ids(app_server: ServerHandle) -> None:
    httpx.get(f"{app_server.api_url}/products")
    metrics = httpx.get(f"{app_server.base_url}/metrics").text
    assert 'operation_id="listProducts"' in metrics
    assert "refarch_outbox_lag_seconds" in metrics
