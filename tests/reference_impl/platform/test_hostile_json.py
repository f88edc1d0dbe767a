"""JSON bodies that are well formed but hostile: duplicate keys, deep nesting, huge numbers
of values, and JSON sent under a media type the spec does not declare. Each is refused with
a 4xx problem that says what was wrong, before any handler runs."""

from __future__ import annotations

import httpx
import pytest

from refarch.reference_impl.platform.json_decoding import MAX_VALUES
from tests.support.server import ServerHandle


def _post_raw(
    server: ServerHandle, token: str, raw: bytes, content_type: str = "application/json"
) -> httpx.Response:
    return httpx.post(
        f"{server.api_url}/widgets",
        content=raw,
        headers={"authorization": f"Bearer {token}", "content-type": content_type},
        timeout=30.0,
    )


def _assert_problem(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    for word in words:
        assert word in problem["detail"], problem["detail"]


def test_duplicate_object_keys_are_refused_with_400(
    widget_server: ServerHandle, admin_token: str
) -> None:
    raw = b'{"name": "w", "items": [{"quantity": 1, "quantity": 100}]}'
    _assert_problem(_post_raw(widget_server, admin_token, raw), 400, "quantity", "more than once")


def test_duplicate_top_level_keys_are_refused_with_400(
    widget_server: ServerHandle, admin_token: str
) -> None:
    raw = b'{"name": "a", "name": "b", "items": [{"quantity": 1}]}'
    _assert_problem(_post_raw(widget_server, admin_token, raw), 400, "name", "more than once")


def test_a_duplicate_spelled_with_an_escape_is_still_a_duplicate(
    widget_server: ServerHandle, admin_token: str
) -> None:
    raw = b'{"name": "w", "items": [{"quantity": 1, "quan\\u0074ity": 100}]}'
    _assert_problem(_post_raw(widget_server, admin_token, raw), 400, "quantity", "more than once")


def test_same_key_in_sibling_objects_is_accepted(
    widget_server: ServerHandle, admin_token: str
) -> None:
    raw = b'{"name": "w", "items": [{"quantity": 1}, {"quantity": 2}]}'
    assert _post_raw(widget_server, admin_token, raw).status_code == 201


@pytest.mark.parametrize("depth", [40, 300, 900, 1100, 15_000, 30_000])
def test_json_nested_at_any_depth_is_refused_with_400(
    widget_server: ServerHandle, admin_token: str, depth: int
) -> None:
    nested = b"[" * depth + b"]" * depth
    raw = b'{"name": "w", "items": [{"quantity": 1}], "owner_email": ' + nested + b"}"
    response = _post_raw(widget_server, admin_token, raw)
    # past MAX_VALUES levels the document also holds too many values: either reason is right
    _assert_problem(response, 400, "nested" if depth < MAX_VALUES else "")
    assert "nested" in response.json()["detail"] or "values" in response.json()["detail"]


def test_nesting_within_the_depth_limit_is_validated_as_usual(
    widget_server: ServerHandle, admin_token: str
) -> None:
    nested = b"[" * 20 + b"]" * 20
    raw = b'{"name": "w", "items": [{"quantity": 1}], "owner_email": ' + nested + b"}"
    response = _post_raw(widget_server, admin_token, raw)
    assert response.status_code == 422, response.text


def test_more_json_values_than_the_bound_are_refused_with_400(
    widget_server: ServerHandle, admin_token: str
) -> None:
    items = b",".join([b'{"quantity": 1}'] * MAX_VALUES)
    raw = b'{"name": "w", "items": [' + items + b"]}"
    _assert_problem(_post_raw(widget_server, admin_token, raw), 400, str(MAX_VALUES), "values")


def test_commas_and_brackets_inside_strings_are_not_counted_as_values(
    widget_server: ServerHandle, admin_token: str
) -> None:
    text = ",[{" * MAX_VALUES  # thousands of separators, all inside one string
    raw = b'{"name": "' + text.encode() + b'", "items": [{"quantity": 1}]}'
    response = _post_raw(widget_server, admin_token, raw)
    assert response.status_code == 422, response.text  # judged by the schema: name too long
    assert response.json()["errors"][0]["field"] == "/name"


@pytest.mark.parametrize(
    "content_type", ["application/evil+json", "application/problem+json", "text/json", "json"]
)
def test_json_under_an_undeclared_media_type_is_refused_with_415(
    widget_server: ServerHandle, admin_token: str, content_type: str
) -> None:
    raw = b'{"name": "w", "items": [{"quantity": 1}]}'
    response = _post_raw(widget_server, admin_token, raw, content_type)
    _assert_problem(response, 415, "application/json")


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON", "application/json; charset=utf-8"]
)
def test_the_declared_media_type_is_accepted_with_parameters_and_any_case(
    widget_server: ServerHandle, admin_token: str, content_type: str
) -> None:
    raw = b'{"name": "w", "items": [{"quantity": 1}]}'
    assert _post_raw(widget_server, admin_token, raw, content_type).status_code == 201
