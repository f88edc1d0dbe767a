"""v1 operations that v2 supersedes say so on every successful answer (RFC 9745, RFC 8594,
RFC 8288), so clients notice in their logs long before the sunset. v1 suite only."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

import httpx
import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_object
from refarch.conformance.shop import create_product, place_order

pytestmark = [
    pytest.mark.spec_versions("v1"),
    pytest.mark.services("orders", "catalog", "users"),
    pytest.mark.layer("scenarios"),
]

_DEPRECATION = re.compile(r"@[0-9]{1,12}")
_SUCCESSOR = re.compile(r'<(/api/v[0-9]+/[^>]*)>; rel="successor-version"')


def _announces_successor(response: httpx.Response, successor: str) -> None:
    expect(
        _DEPRECATION.fullmatch(response.headers.get("deprecation", "")) is not None,
        "Deprecation: @<unix seconds>",
        response,
    )
    try:
        sunset = parsedate_to_datetime(response.headers.get("sunset", ""))
    except (TypeError, ValueError):
        sunset = None
    expect(sunset is not None, "Sunset is an HTTP-date", response)
    link = _SUCCESSOR.fullmatch(response.headers.get("link", ""))
    expect(
        link is not None and link.group(1) == successor,
        f'Link: <{successor}>; rel="successor-version"',
        response,
    )


@pytest.mark.requirement("API-026")
def test_superseded_orders_operations_name_their_successor(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=5)
    placed = expect_status(place_order(api, alice, (product["id"], 1)), 201, why="an order")
    order_id = json_object(placed)["id"]
    _announces_successor(placed, "/api/v2/orders")
    _announces_successor(
        api.get(f"/orders/{order_id}", headers=alice.headers), f"/api/v2/orders/{order_id}"
    )
    _announces_successor(api.get("/orders", headers=alice.headers), "/api/v2/orders")
    cancelled = api.post(f"/orders/{order_id}/cancel", headers=alice.headers)
    _announces_successor(cancelled, f"/api/v2/orders/{order_id}/cancel")
