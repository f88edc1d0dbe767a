"""Orders rules new in v2: server-computed shipping, orders readable through both versions,
and cursor pages. Part of the v2 suite only (`refarch conform --spec-version v2`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from refarch.conformance.actors import Actor, Cleanup, register_user
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_problem, expect_status, json_object
from refarch.conformance.options import RunOptions
from refarch.conformance.order_shapes import order_request
from refarch.conformance.shop import create_product

pytestmark = [
    pytest.mark.spec_versions("v2"),
    pytest.mark.services("orders", "catalog", "users"),
    pytest.mark.layer("scenarios"),
]

EXPRESS: dict[str, Any] = {"amount": 990, "currency": "EUR"}
FREE: dict[str, Any] = {"amount": 0, "currency": "EUR"}


@pytest.fixture(scope="module")
def api_v1(run_options: RunOptions) -> Iterator[ApiClient]:
    """The same server's v1 API: v2 orders must read correctly through it and back."""
    with ApiClient(base_url=f"{run_options.base_url.rstrip('/')}/api/v1", timeout=20.0) as client:
        yield client


def _place(api: ApiClient, user: Actor, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/orders", json=body, headers=user.headers)
    return json_object(expect_status(response, 201, why="a valid order is placed"))


@pytest.mark.requirement("ORD-018")
def test_the_server_prices_shipping(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    listed = expect_status(api.get("/shipping-methods"), 200, why="anyone may list methods")
    costs = {m["method"]: m["cost"] for m in json_object(listed)["items"]}
    expect(costs == {"standard": FREE, "express": EXPRESS}, "standard 0, express 990", listed)
    product = create_product(api, admin, cleanup, price=1500, stock=10)
    for method, cost in (("standard", FREE), ("express", EXPRESS)):
        body = order_request([(product["id"], 2)], method=method)
        order = _place(api, alice, body)
        expect(
            order["shipping"]["method"] == method
            and order["shipping"]["cost"] == cost
            and order["totals"]["shipping"] == cost
            and order["totals"]["subtotal"] == {"amount": 3000, "currency": "EUR"}
            and order["totals"]["total"]["amount"] == 3000 + cost["amount"],
            f"{method} costs {cost['amount']} and totals add up",
            None,
            str(order),
        )
    body = order_request([(product["id"], 1)], method="express")
    body["shipping"]["cost"] = {"amount": 1, "currency": "EUR"}
    response = api.post("/orders", json=body, headers=alice.headers)
    expect_problem(response, 422, why="the shipping cost is not the client's to send")


@pytest.mark.requirement("ORD-019")
def test_orders_read_the_same_through_both_versions(
    api: ApiClient, api_v1: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, price=700, stock=10)
    express = _place(api, alice, order_request([(product["id"], 3)], method="express"))
    old = json_object(
        expect_status(
            api_v1.get(f"/orders/{express['id']}", headers=alice.headers),
            200,
            why="an order placed through v2 is readable through v1",
        )
    )
    expect(
        old["status"] == express["status"]
        and old["items"] == express["items"]
        and old["shipping_address"] == express["shipping"]["address"]
        and old["total"] == express["totals"]["subtotal"],
        "v1 shows the same lines and address, and total = the sum of the lines",
        None,
        str({"v1": old, "v2": express}),
    )
    placed_v1 = api_v1.post(
        "/orders", json=order_request([(product["id"], 1)], version="v1"), headers=alice.headers
    )
    via_v1 = json_object(expect_status(placed_v1, 201, why="v1 still places orders"))
    read = api.get(f"/orders/{via_v1['id']}", headers=alice.headers)
    order = json_object(expect_status(read, 200, why="a v1 order is readable through v2"))
    expect(
        order["shipping"]["method"] == "standard"
        and order["shipping"]["cost"] == FREE
        and order["totals"]["total"] == via_v1["total"],
        "a v1 order ships standard, free, and its v2 total is its v1 total",
        read,
    )


@pytest.mark.requirement("API-024")
def test_cursor_pages_are_bounded(api: ApiClient, alice: Actor) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "bm90LWEtY3Vyc29y"}):
        response = api.get("/orders", params=params, headers=alice.headers)
        expect_problem(response, 422, why=f"{params}: limit 1..100, only issued cursors")
    default = json_object(
        expect_status(api.get("/orders", headers=alice.headers), 200, why="the first page")
    )
    expect(default["page"]["limit"] == 20, "limit defaults to 20", None, str(default))


@pytest.mark.requirement("API-025")
def test_cursor_pages_return_every_order_once_newest_first(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    customer = register_user(api, cleanup, role="pager")
    product = create_product(api, admin, cleanup, price=100, stock=20)
    placed = [_place(api, customer, order_request([(product["id"], 1)]))["id"] for _ in range(5)]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    for page_number in range(10):
        response = api.get("/orders", params=params, headers=customer.headers)
        page = json_object(expect_status(response, 200, why="a cursor page"))
        seen += [order["id"] for order in page["items"]]
        cursor = page["page"]["next_cursor"]
        if cursor is None:
            break
        link = response.headers.get("link", "")
        expect(
            f"cursor={cursor}" in link and link.endswith('>; rel="next"'),
            "the Link header names the next page",
            response,
        )
        if page_number == 0:  # a new order must not shift the pages still to come
            _place(api, customer, order_request([(product["id"], 1)]))
        params = {"limit": 2, "cursor": cursor}
    expect(seen == placed[::-1], "every order once, newest first", None, str(seen))
    # six orders now: pages that end exactly on the last order must say so (next_cursor
    # null, no Link rel=next), not lead to an empty page
    for limit in (6, 3):
        sizes = _page_sizes(api, customer, limit)
        expect(
            sizes == [limit] * (6 // limit),
            f"6 orders at limit {limit}: {6 // limit} full page(s), the last with next_cursor null",
            None,
            f"page sizes {sizes} (a trailing 0 is a next_cursor that led to an empty page)",
        )


def _page_sizes(api: ApiClient, customer: Actor, limit: int) -> list[int]:
    """The size of every page of the customer's orders, following next_cursor to the end;
    a last page that still names a next page is a contract violation."""
    params: dict[str, Any] = {"limit": limit}
    sizes: list[int] = []
    for _ in range(10):
        response = api.get("/orders", params=params, headers=customer.headers)
        page = json_object(expect_status(response, 200, why="a cursor page"))
        sizes.append(len(page["items"]))
        cursor = page["page"]["next_cursor"]
        if cursor is None:
            expect(
                'rel="next"' not in response.headers.get("link", ""),
                "no Link rel=next on the last page",
                response,
            )
            break
        params = {"limit": limit, "cursor": cursor}
    return sizes
