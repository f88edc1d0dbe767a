"""HEAD is served wherever GET is (RFC 9110 9.3.2): the same status and headers, no body."""

from __future__ import annotations

import httpx

from tests.reference_impl.platform.widgets import MISSING_WIDGET
from tests.support.server import ServerHandle

#: headers that differ between any two responses, whatever the method
PER_RESPONSE = {"x-request-id", "date"}


def _comparable(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in PER_RESPONSE}


def test_head_answers_like_get_without_a_body(widget_server: ServerHandle) -> None:
    url = f"{widget_server.api_url}/widgets?limit=3"
    get, head = httpx.get(url), httpx.head(url)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert _comparable(head) == _comparable(get)
    assert int(head.headers["content-length"]) == len(get.content) > 0


def test_head_on_a_missing_resource_answers_its_problem_headers_only(
    widget_server: ServerHandle,
) -> None:
    head = httpx.head(f"{widget_server.api_url}/widgets/{MISSING_WIDGET}")
    assert head.status_code == 404
    assert head.headers["content-type"] == "application/problem+json"
    assert head.headers["x-content-type-options"] == "nosniff"
    assert head.content == b""


def test_head_on_an_unknown_path_answers_404_headers_only(widget_server: ServerHandle) -> None:
    head = httpx.head(f"{widget_server.api_url}/no-such-thing")
    assert head.status_code == 404
    assert head.headers["content-type"] == "application/problem+json"
    assert head.content == b""
