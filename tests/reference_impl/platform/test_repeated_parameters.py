"""A single-valued query parameter sent twice is refused: taking the first (or the last)
silently would let ``?limit=1&limit=abc`` through, and two readers of the same URL (a
cache, a WAF, the service) could disagree on what was asked."""

from __future__ import annotations

import httpx
import pytest

from tests.support.server import ServerHandle


@pytest.mark.parametrize("query", ["limit=1&limit=abc", "limit=5&limit=5", "limit=5&limit=7"])
def test_a_repeated_single_valued_parameter_is_refused_with_422(
    widget_server: ServerHandle, query: str
) -> None:
    response = httpx.get(f"{widget_server.api_url}/widgets?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"in": "query", "field": "/limit", "message": "must be given once"}
    ]


def test_distinct_parameters_together_are_accepted(widget_server: ServerHandle) -> None:
    response = httpx.get(f"{widget_server.api_url}/widgets?limit=5&in_stock=true")
    assert response.status_code == 200, response.text
    assert response.json() == {"limit": 5, "in_stock": True}
