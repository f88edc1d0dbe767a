"""Response checks shared by all journeys: the status the contract promises, and a body shape.

A shape check returns None when the body is right, or a short reason that Locust records as
the failure message (and the verdict's error list groups by).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from locust.contrib.fasthttp import ResponseContextManager

__all__ = ["Shape", "category", "expect", "order", "page_of", "product", "token_pair", "user"]

Shape = Callable[[Any], str | None]


def _fields(body: Any, **types: type) -> str | None:
    if not isinstance(body, dict):
        return f"expected an object, got {type(body).__name__}"
    for name, kind in types.items():
        if not isinstance(body.get(name), kind):
            return f"field {name!r} missing or not {kind.__name__}"
    return None


def _money(body: Any) -> str | None:
    problem = _fields(body, amount=int, currency=str)
    if problem is None and body["amount"] < 0:
        return "negative money amount"
    return problem


def product(body: Any) -> str | None:
    return _fields(body, id=str, sku=str, name=str, price=dict, stock=int) or _money(body["price"])


def category(body: Any) -> str | None:
    return _fields(body, id=str, slug=str, name=str)


def user(body: Any) -> str | None:
    return _fields(body, id=str, email=str, role=str, status=str)


def token_pair(body: Any) -> str | None:
    problem = _fields(body, access_token=str, refresh_token=str, token_type=str, expires_in=int)
    if problem is None and body["token_type"] != "Bearer":
        return f"token_type {body['token_type']!r}, expected 'Bearer'"
    return problem


def order(body: Any) -> str | None:
    """An order of either version: v1's ``total`` or v2's ``totals`` (subtotal + shipping)."""
    if isinstance(body, dict) and "totals" in body:
        return _order_v2(body)
    problem = _fields(body, id=str, status=str, items=list, total=dict) or _money(body["total"])
    if problem:
        return problem
    return _lines_add_up(body, body["total"]["amount"])


def _order_v2(body: dict[str, Any]) -> str | None:
    problem = _fields(body, id=str, status=str, items=list, totals=dict, shipping=dict)
    totals = body["totals"]
    for name in ("subtotal", "shipping", "total"):
        problem = problem or _money(totals.get(name))
    if problem:
        return problem
    if totals["subtotal"]["amount"] + totals["shipping"]["amount"] != totals["total"]["amount"]:
        return "order total is not subtotal + shipping"
    return _lines_add_up(body, totals["subtotal"]["amount"])


def _lines_add_up(body: dict[str, Any], expected: int) -> str | None:
    line_totals = [line.get("line_total", {}).get("amount") for line in body["items"]]
    if not body["items"] or not all(isinstance(t, int) for t in line_totals):
        return "order without items or line totals"
    if sum(line_totals) != expected:
        return "order total is not the sum of its line totals"
    return None


def page_of(item: Shape) -> Shape:
    def check(body: Any) -> str | None:
        problem = _fields(body, items=list, page=dict)
        if problem:
            return problem
        for entry in body["items"]:
            if (problem := item(entry)) is not None:
                return f"item: {problem}"
        return None

    return check


def expect(response: ResponseContextManager, status: int, shape: Shape) -> Any | None:
    """Mark the response as success or failure; returns the parsed body on success."""
    if response.status_code != status:
        if response.status_code == 0:  # no HTTP response at all: connection refused, reset, timeout
            response.failure(f"no response: {type(getattr(response, 'error', None)).__name__}")
        else:
            response.failure(f"HTTP {response.status_code}, expected {status}")
        return None
    try:
        body = response.json()
    except ValueError:
        response.failure("body is not JSON")
        return None
    try:
        problem = shape(body)
    except (AttributeError, KeyError, TypeError):  # e.g. a list where an object belongs
        problem = "unexpected structure"
    if problem is not None:
        response.failure(f"wrong body: {problem}")
        return None
    response.success()
    return body
