"""v1 and v2 from one server and one database (ADR 0044, 0045): an order written through
either version reads correctly through the other, v1's superseded operations announce their
successor, and v2's cursor pages walk every order exactly once. Responses are validated
against each version's spec by the server itself (validate_responses is on in tests)."""

from __future__ import annotations

import uuid
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from tests.support.postgres import TestPostgres
from tests.support.server import ServerHandle, reference_server
from tests.support.shop import ADDRESS, create_product, login, order_body, register


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, postgres: TestPostgres) -> ServerHandle:
    url = postgres.fresh_database()
    with reference_server(tmp_path_factory.mktemp("versions"), url) as handle:
        yield handle  # type: ignore[misc]
    postgres.drop(url)


def _clients(server: ServerHandle) -> tuple[httpx.Client, httpx.Client]:
    return (
        httpx.Client(base_url=f"{server.base_url}/api/v1", timeout=10),
        httpx.Client(base_url=f"{server.base_url}/api/v2", timeout=10),
    )


def _v2_body(product_id: str, quantity: int, method: str) -> dict[str, Any]:
    return {
        "items": [{"product_id": product_id, "quantity": quantity}],
        "shipping": {"method": method, "address": ADDRESS},
    }


@pytest.fixture(scope="module")
def shop(server: ServerHandle) -> dict[str, Any]:
    v1, _ = _clients(server)
    with v1:
        admin = login(v1, server.admin_email, server.admin_password)
        product = create_product(v1, admin, sku_prefix="VER", name="Teapot", amount=2500, stock=500)
        _, customer = register(v1)
    return {"admin": admin, "customer": customer, "product": product}


def test_ord_019_express_order_placed_through_v2_reads_through_v1(
    server: ServerHandle, shop: dict[str, Any]
) -> None:
    v1, v2 = _clients(server)
    with v1, v2:
        placed = v2.post(
            "/orders", headers=shop["customer"], json=_v2_body(shop["product"]["id"], 2, "express")
        )
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert placed.headers["location"] == f"/api/v2/orders/{order['id']}"
        assert order["shipping"] == {
            "method": "express",
            "address": ADDRESS,
            "cost": {"amount": 990, "currency": "EUR"},
        }
        assert order["totals"] == {
            "subtotal": {"amount": 5000, "currency": "EUR"},
            "shipping": {"amount": 990, "currency": "EUR"},
            "total": {"amount": 5990, "currency": "EUR"},
        }

        through_v1 = v1.get(f"/orders/{order['id']}", headers=shop["customer"])
        assert through_v1.status_code == 200, through_v1.text
        old = through_v1.json()
        assert (old["id"], old["status"], old["items"]) == (
            order["id"],
            order["status"],
            order["items"],
        )
        assert old["shipping_address"] == ADDRESS
        # v1 keeps its promise: total is the sum of the lines (the shipping charge is v2's)
        assert old["total"] == order["totals"]["subtotal"]


def test_ord_019_order_placed_through_v1_reads_through_v2_as_free_standard_shipping(
    server: ServerHandle, shop: dict[str, Any]
) -> None:
    v1, v2 = _clients(server)
    with v1, v2:
        placed = v1.post(
            "/orders", headers=shop["customer"], json=order_body(shop["product"]["id"], 3)
        )
        assert placed.status_code == 201, placed.text
        old = placed.json()
        through_v2 = v2.get(f"/orders/{old['id']}", headers=shop["customer"])
        assert through_v2.status_code == 200, through_v2.text
        order = through_v2.json()
        assert order["shipping"] == {
            "method": "standard",
            "address": ADDRESS,
            "cost": {"amount": 0, "currency": "EUR"},
        }
        assert order["totals"]["total"] == old["total"] == order["totals"]["subtotal"]
        # a change made through v2 is seen through v1
        cancelled = v2.post(f"/orders/{old['id']}/cancel", headers=shop["customer"])
        assert cancelled.status_code == 200, cancelled.text
        assert v1.get(f"/orders/{old['id']}", headers=shop["customer"]).json()["status"] == (
            "cancelled"
        )


def test_ord_018_shipping_cost_comes_from_the_server(
    server: ServerHandle, shop: dict[str, Any]
) -> None:
    _, v2 = _clients(server)
    with v2:
        methods = v2.get("/shipping-methods")
        assert methods.status_code == 200, methods.text
        costs = {m["method"]: m["cost"]["amount"] for m in methods.json()["items"]}
        assert costs == {"standard": 0, "express": 990}
        body = _v2_body(shop["product"]["id"], 1, "standard")
        body["shipping"]["cost"] = {"amount": 1, "currency": "EUR"}  # not the client's to say
        refused = v2.post("/orders", headers=shop["customer"], json=body)
        assert refused.status_code == 422, refused.text
        # v1's request shape is not v2's: the old field is refused, not silently ignored
        v1_shaped = v2.post(
            "/orders", headers=shop["customer"], json=order_body(shop["product"]["id"], 1)
        )
        assert v1_shaped.status_code == 422, v1_shaped.text


def test_ord_010_v2_replay_returns_the_v2_representation(
    server: ServerHandle, shop: dict[str, Any]
) -> None:
    _, v2 = _clients(server)
    with v2:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        body = _v2_body(shop["product"]["id"], 1, "express")
        first = v2.post("/orders", headers={**shop["customer"], **key}, json=body)
        again = v2.post("/orders", headers={**shop["customer"], **key}, json=body)
        assert first.status_code == again.status_code == 201, again.text
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        assert "totals" in again.json()


def test_v1_orders_operations_announce_their_v2_successor(
    server: ServerHandle, shop: dict[str, Any]
) -> None:
    v1, v2 = _clients(server)
    with v1, v2:
        placed = v1.post(
            "/orders", headers=shop["customer"], json=order_body(shop["product"]["id"], 1)
        )
        order_id = placed.json()["id"]
        read = v1.get(f"/orders/{order_id}", headers=shop["customer"])
        for response, successor in (
            (placed, "/api/v2/orders"),
            (read, f"/api/v2/orders/{order_id}"),
        ):
            assert response.headers["deprecation"] == "@1795996800"  # 2026-11-30T00:00:00Z
            sunset = parsedate_to_datetime(response.headers["sunset"])
            assert sunset.isoformat() == "2027-06-01T00:00:00+00:00"
            assert response.headers["link"] == f'<{successor}>; rel="successor-version"'
        # the successor named in the Link header answers for the same order
        assert v2.get(f"/orders/{order_id}", headers=shop["customer"]).status_code == 200
        # nothing v2 serves is deprecated, nor are v1's unchanged services
        fresh = v2.get(f"/orders/{order_id}", headers=shop["customer"])
        products = v1.get("/products")
        for response in (fresh, products):
            assert "deprecation" not in response.headers
            assert "sunset" not in response.headers


def test_api_025_cursor_pages_walk_every_order_once_newest_first(
    server: ServerHandle, shop: dict[str, Any]
) -> None:
    v1, v2 = _clients(server)
    with v1, v2:
        _, customer = register(v1)
        placed = []
        for _ in range(5):
            response = v2.post(
                "/orders", headers=customer, json=_v2_body(shop["product"]["id"], 1, "standard")
            )
            assert response.status_code == 201, response.text
            placed.append(response.json()["id"])
        seen: list[str] = []
        url: str | None = "/orders?limit=2"
        pages = 0
        while url is not None:
            page = v2.get(url, headers=customer)
            assert page.status_code == 200, page.text
            seen += [order["id"] for order in page.json()["items"]]
            cursor = page.json()["page"]["next_cursor"]
            pages += 1
            if cursor is None:
                assert "link" not in page.headers
                url = None
                continue
            link = page.headers["link"]
            assert link.startswith("</api/v2/orders?") and link.endswith('>; rel="next"')
            assert f"cursor={cursor}" in link
            # an order placed while walking does not shift later pages
            if pages == 1:
                extra = v2.post(
                    "/orders", headers=customer, json=_v2_body(shop["product"]["id"], 1, "standard")
                )
                assert extra.status_code == 201
            url = link[len("</api/v2") : -len('>; rel="next"')]
        assert seen == list(reversed(placed))
        assert pages == 3


def test_api_024_a_cursor_the_server_did_not_issue_is_refused(
    server: ServerHandle, shop: dict[str, Any]
) -> None:
    _, v2 = _clients(server)
    with v2:
        refused = v2.get("/orders?cursor=bm90LWEtY3Vyc29y", headers=shop["customer"])
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [
            {"in": "query", "field": "/cursor", "message": "is not a cursor this server issued"}
        ]
        old_style = v2.get("/orders?offset=10", headers=shop["customer"])
        # v2 has no offset: an unknown query parameter is ignored, so this is the first page
        assert old_style.status_code == 200, old_style.text
