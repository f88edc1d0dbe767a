"""Request validation from the spec: fields are named, values coerced, internals hidden."""

from __future__ import annotations

import httpx

from tests.support.server import ServerHandle


def _post_widget(server: ServerHandle, token: str, body: object, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.api_url}/widgets",
        json=body,
        headers={"authorization": f"Bearer {token}", **headers},
    )


def _fields(response: httpx.Response) -> dict[str, str]:
    """``errors`` as ``{"<in> <field>": message}``, e.g. ``{"body /items/0/quantity": ...}``."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {f"{e['in']} {e['field']}": e["message"] for e in response.json()["errors"]}


def test_422_names_nested_body_fields(widget_server: ServerHandle, admin_token: str) -> None:
    response = _post_widget(
        widget_server,
        admin_token,
        {"name": "", "items": [{"quantity": 0}, {}], "owner_email": "not-an-email", "role": "x"},
    )
    fields = _fields(response)
    assert fields["body /name"] == "must not be empty"
    assert fields["body /items/0/quantity"] == "must be at least 1"
    assert fields["body /items/1/quantity"] == "is required"
    assert fields["body /owner_email"] == "must be a valid email"
    assert fields["body /role"] == "is not an allowed field"


def test_422_never_shows_schema_internals(widget_server: ServerHandle, admin_token: str) -> None:
    response = _post_widget(widget_server, admin_token, {"name": 5, "items": "many"})
    assert response.status_code == 422
    for leak in ("$ref", "properties", "additionalProperties", "schema", "#/"):
        assert leak not in response.text


def test_missing_required_body_is_422(widget_server: ServerHandle, admin_token: str) -> None:
    response = httpx.post(
        f"{widget_server.api_url}/widgets", headers={"authorization": f"Bearer {admin_token}"}
    )
    assert _fields(response) == {"body ": "is required"}


def test_query_values_are_coerced_and_defaulted(widget_server: ServerHandle) -> None:
    assert httpx.get(f"{widget_server.api_url}/widgets").json() == {"limit": 20, "in_stock": None}
    response = httpx.get(f"{widget_server.api_url}/widgets?limit=7&in_stock=true")
    assert response.json() == {"limit": 7, "in_stock": True}


def test_query_limit_above_maximum_is_422_naming_the_parameter(
    widget_server: ServerHandle,
) -> None:
    fields = _fields(httpx.get(f"{widget_server.api_url}/widgets?limit=101"))
    assert fields == {"query /limit": "must be at most 100"}


def test_query_value_of_the_wrong_type_is_422(widget_server: ServerHandle) -> None:
    fields = _fields(httpx.get(f"{widget_server.api_url}/widgets?limit=ten&in_stock=maybe"))
    assert fields == {
        "query /limit": "must be of type integer",
        "query /in_stock": "must be of type boolean",
    }


def test_path_parameter_with_the_wrong_format_is_422(widget_server: ServerHandle) -> None:
    fields = _fields(httpx.get(f"{widget_server.api_url}/widgets/not-a-uuid"))
    assert fields == {"path /widget_id": "must be a valid uuid"}


def test_declared_header_is_validated_and_passed_on(
    widget_server: ServerHandle, admin_token: str
) -> None:
    body = {"name": "w", "items": [{"quantity": 1}]}
    too_long = _post_widget(widget_server, admin_token, body, **{"Idempotency-Key": "k" * 256})
    assert _fields(too_long) == {"header /Idempotency-Key": "must be at most 255 characters long"}
    created = _post_widget(widget_server, admin_token, body, **{"Idempotency-Key": "key-1"})
    assert created.status_code == 201
    assert created.json()["idempotency_key"] == "key-1"
    assert created.headers["location"] == f"/api/v1/widgets/{created.json()['id']}"
