"""Routing and the gateway's refusals: 404, 405 + Allow, 400, 415, 422, 500 and the headers
every response carries (PLAT: API-problem-json, API-405-allow)."""

from __future__ import annotations

import uuid

import httpx

from tests.reference_impl.platform.widgets import MISSING_WIDGET
from tests.support.server import ServerHandle

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "request_id"}


def _assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_MEMBERS
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_unknown_route_is_a_404_problem(widget_server: ServerHandle) -> None:
    response = httpx.get(f"{widget_server.api_url}/no-such-thing")
    body = _assert_problem(response, 404)
    assert body["instance"] == "/api/v1/no-such-thing"


def test_problem_instance_is_the_path_percent_encoded_as_received(
    widget_server: ServerHandle,
) -> None:
    response = httpx.get(f"{widget_server.api_url}/caf%C3%A9/%F0%9F%92%A5")
    body = _assert_problem(response, 404)
    assert body["instance"] == "/api/v1/caf%C3%A9/%F0%9F%92%A5"


def test_wrong_method_is_405_with_the_specs_methods_in_allow(widget_server: ServerHandle) -> None:
    response = httpx.put(f"{widget_server.api_url}/widgets/{uuid.uuid4()}", json={})
    _assert_problem(response, 405)
    assert response.headers["allow"] == "GET, DELETE"


def test_malformed_json_is_400(widget_server: ServerHandle, admin_token: str) -> None:
    response = httpx.post(
        f"{widget_server.api_url}/widgets",
        content=b'{"name": "x", ',
        headers={"content-type": "application/json", "authorization": f"Bearer {admin_token}"},
    )
    _assert_problem(response, 400)


def test_body_with_another_content_type_is_415(
    widget_server: ServerHandle, admin_token: str
) -> None:
    response = httpx.post(
        f"{widget_server.api_url}/widgets",
        content=b"name=x",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "authorization": f"Bearer {admin_token}",
        },
    )
    _assert_problem(response, 415)


def test_domain_not_found_is_a_404_problem(widget_server: ServerHandle) -> None:
    response = httpx.get(f"{widget_server.api_url}/widgets/{MISSING_WIDGET}")
    body = _assert_problem(response, 404)
    assert body["detail"] == "No widget with this id."


def test_unexpected_exception_is_500_with_request_id_and_no_internals(
    widget_server: ServerHandle,
) -> None:
    response = httpx.get(f"{widget_server.api_url}/boom")
    body = _assert_problem(response, 500)
    assert "flux capacitor" not in response.text
    assert "Traceback" not in response.text
    assert len(body["request_id"]) >= 16


def test_a_response_breaking_the_spec_becomes_500_when_validation_is_on(
    widget_server: ServerHandle,
) -> None:
    _assert_problem(httpx.get(f"{widget_server.api_url}/contract-breach"), 500)


def test_a_missing_required_response_header_becomes_500_when_validation_is_on(
    widget_server: ServerHandle,
) -> None:
    _assert_problem(httpx.get(f"{widget_server.api_url}/missing-header"), 500)


def test_an_undeclared_error_status_becomes_500_when_validation_is_on(
    widget_server: ServerHandle,
) -> None:
    _assert_problem(httpx.get(f"{widget_server.api_url}/undeclared-conflict"), 500)


def test_sane_request_id_is_echoed_and_hostile_one_replaced(widget_server: ServerHandle) -> None:
    sane = httpx.get(f"{widget_server.api_url}/health", headers={"x-request-id": "abc-123.X_y"})
    assert sane.headers["x-request-id"] == "abc-123.X_y"
    hostile = httpx.get(
        f"{widget_server.api_url}/health", headers={"x-request-id": "bad id\\r\\n" + "x" * 200}
    )
    assert hostile.headers["x-request-id"] != ""
    assert "bad" not in hostile.headers["x-request-id"]


def test_every_response_carries_the_security_headers_and_no_cors(
    widget_server: ServerHandle,
) -> None:
    for response in (
        httpx.get(f"{widget_server.api_url}/health"),
        httpx.get(f"{widget_server.api_url}/nowhere"),
        httpx.get(f"{widget_server.api_url}/boom", headers={"origin": "https://evil.example"}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert "access-control-allow-origin" not in response.headers
        assert response.headers["x-request-id"]


def test_values_straight_from_asyncpg_are_encoded(widget_server: ServerHandle) -> None:
    response = httpx.get(f"{widget_server.api_url}/database-time")
    assert response.status_code == 200, response.text
    assert uuid.UUID(response.json()["id"])
    assert response.json()["now"].endswith("+00:00")
