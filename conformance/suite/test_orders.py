"""Orders: server-computed totals, stock reservation, cancellation, the state machine and
idempotent retries."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import KEEPALIVE_EXPIRY_SECONDS, ApiClient, AsyncApiClient
from refarch.conformance.expect import (
    expect,
    expect_problem,
    expect_status,
    json_body,
    json_object,
    named_fields,
)
from refarch.conformance.options import current_run
from refarch.conformance.order_shapes import lines_total
from refarch.conformance.shop import create_product, get_product, order_body, place_order
from refarch.conformance.testdata import MISSING_ID

pytestmark = [pytest.mark.services("orders", "catalog", "users"), pytest.mark.layer("scenarios")]


def _placed(response: Any) -> dict[str, Any]:
    return json_object(
        expect_status(response, 201, why="a valid order for products in stock is placed")
    )


def _essence(order: dict[str, Any]) -> dict[str, Any]:
    """What a read-back must repeat: line order and timestamp precision may differ."""
    lines = sorted(order["items"], key=lambda line: line["product_id"])
    total = lines_total(order)
    return {"id": order["id"], "status": order["status"], "total": total, "items": lines}


def _transition(api: ApiClient, admin: Actor, order_id: str, to: str) -> Any:
    return api.post(f"/orders/{order_id}/transitions", json={"to": to}, headers=admin.headers)


@pytest.mark.requirement("ORD-001", "API-012")
def test_the_server_computes_prices_and_totals(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    first = create_product(api, admin, cleanup, price=1250)
    second = create_product(api, admin, cleanup, price=399)
    response = place_order(api, alice, (first["id"], 2), (second["id"], 3))
    order = _placed(response)
    lines = {line["product_id"]: line for line in order["items"]}
    expect(
        lines[first["id"]]["unit_price"]["amount"] == 1250
        and lines[second["id"]]["unit_price"]["amount"] == 399,
        "each line carries the product's current price",
        response,
    )
    expect(
        all(
            line["line_total"]["amount"] == line["unit_price"]["amount"] * line["quantity"]
            for line in order["items"]
        ),
        "line_total = unit_price * quantity",
        response,
    )
    expect(
        lines_total(order) == {"amount": 2 * 1250 + 3 * 399, "currency": "EUR"},
        "total = sum of the line totals",
        response,
    )
    location = response.headers.get("location", "")
    expect(location.endswith(f"/orders/{order['id']}"), "Location names the new order", response)
    expect(
        _essence(json_body(api.get(f"/orders/{order['id']}", headers=alice.headers)))
        == _essence(order),
        "getOrder returns the placed order",
    )


@pytest.mark.requirement("ORD-003")
def test_short_stock_is_reported_per_line_and_reserves_nothing(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    plenty = create_product(api, admin, cleanup, stock=10)
    scarce = create_product(api, admin, cleanup, stock=1)
    response = place_order(api, alice, (plenty["id"], 2), (scarce["id"], 3))
    problem = expect_problem(response, 409, why="a line asks for more units than are available")
    expect(
        problem.get("out_of_stock")
        == [{"product_id": scarce["id"], "requested": 3, "available": 1}],
        "out_of_stock lists exactly the short line",
        response,
    )
    expect(get_product(api, plenty["id"])["stock"] == 10, "no stock of any line is taken")


@pytest.mark.requirement("ORD-007", "ORD-008")
def test_cancel_restores_stock_exactly_once_and_only_while_pending(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    order = _placed(place_order(api, alice, (product["id"], 4)))
    expect(
        get_product(api, product["id"])["stock"] == 6, "placing an order takes its units from stock"
    )
    cancel = api.post(f"/orders/{order['id']}/cancel", headers=alice.headers)
    expect(
        json_body(expect_status(cancel, 200, why="the owner cancels a pending order"))["status"]
        == "cancelled",
        "the order is cancelled",
        cancel,
    )
    expect(get_product(api, product["id"])["stock"] == 10, "cancelling returns the units to stock")
    again = api.post(f"/orders/{order['id']}/cancel", headers=alice.headers)
    expect_problem(again, 409, why="an order that is already cancelled cannot be cancelled again")
    expect(get_product(api, product["id"])["stock"] == 10, "stock is restored exactly once")
    paid = _placed(place_order(api, alice, (product["id"], 1)))
    expect_status(_transition(api, admin, paid["id"], "paid"), 200, why="pending → paid")
    refused = api.post(f"/orders/{paid['id']}/cancel", headers=alice.headers)
    expect_problem(refused, 409, why="only pending orders can be cancelled by their owner")
    expect(get_product(api, product["id"])["stock"] == 9, "a refused cancel leaves stock unchanged")


@pytest.mark.requirement("ORD-009", "ORD-008")
def test_orders_follow_the_state_machine(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    order = _placed(place_order(api, alice, (product["id"], 1)))
    expect_problem(
        _transition(api, admin, order["id"], "shipped"), 409, why="pending → shipped skips payment"
    )
    for to in ("paid", "shipped", "delivered"):
        moved = _transition(api, admin, order["id"], to)
        expect(
            json_body(expect_status(moved, 200, why=f"the move to {to} is allowed"))["status"]
            == to,
            f"status {to}",
            moved,
        )
    expect_problem(_transition(api, admin, order["id"], "cancelled"), 409, why="delivered is final")
    expect(
        json_body(api.get(f"/orders/{order['id']}", headers=alice.headers))["status"]
        == "delivered",
        "a refused move changes nothing",
    )
    second = _placed(place_order(api, alice, (product["id"], 2)))
    expect_status(_transition(api, admin, second["id"], "paid"), 200, why="pending → paid")
    expect_status(_transition(api, admin, second["id"], "cancelled"), 200, why="paid → cancelled")
    expect(
        get_product(api, product["id"])["stock"] == 9,
        "a transition to cancelled restores stock once",
    )


@pytest.mark.requirement("ORD-010")
def test_a_retried_order_is_placed_once(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    key = f"conform-{uuid.uuid4()}"
    first = _placed(place_order(api, alice, (product["id"], 2), key=key))
    retry = place_order(api, alice, (product["id"], 2), key=key)
    expect_status(retry, 201, why="a retry with the same key and body answers the original status")
    expect(json_body(retry) == first, "the retry answers the original body (the same order)", retry)
    expect(
        retry.headers.get("idempotent-replayed", "").lower() == "true",
        "Idempotent-Replayed: true on a replay",
        retry,
    )
    expect(get_product(api, product["id"])["stock"] == 8, "stock is reserved once")


@pytest.mark.requirement("ORD-011")
def test_a_reused_key_with_another_body_is_refused(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    key = f"conform-{uuid.uuid4()}"
    _placed(place_order(api, alice, (product["id"], 1), key=key))
    other = place_order(api, alice, (product["id"], 3), key=key)
    expect_problem(other, 422, why="the key was used for a different body")
    expect(get_product(api, product["id"])["stock"] == 9, "no second order is created")


@pytest.mark.requirement("ORD-013")
def test_idempotency_keys_are_scoped_to_their_user(
    api: ApiClient, admin: Actor, alice: Actor, bob: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    key = f"conform-{uuid.uuid4()}"
    mine = _placed(place_order(api, alice, (product["id"], 1), key=key))
    theirs = _placed(place_order(api, bob, (product["id"], 1), key=key))
    expect(
        mine["id"] != theirs["id"] and theirs["user_id"] == bob.user_id,
        "each user gets their own order",
    )


@pytest.mark.requirement("ORD-015")
def test_placed_orders_keep_their_prices(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, price=1000)
    order = _placed(place_order(api, alice, (product["id"], 1)))
    expect_status(
        api.patch(
            f"/products/{product['id']}",
            json={"price": {"amount": 5000, "currency": "EUR"}},
            headers=admin.headers,
        ),
        200,
        why="an admin changes the price",
    )
    expect(
        _essence(json_body(api.get(f"/orders/{order['id']}", headers=alice.headers)))
        == _essence(order),
        "the order keeps the sku, name and prices it was placed with",
    )


@pytest.mark.requirement("ORD-006")
def test_admins_see_and_filter_all_orders(
    api: ApiClient, admin: Actor, alice: Actor, bob: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    order = _placed(place_order(api, bob, (product["id"], 1)))
    response = api.get(
        "/admin/orders",
        params={"user_id": bob.user_id, "status": "pending", "limit": 100},
        headers=admin.headers,
    )
    items = json_body(expect_status(response, 200, why="an admin lists all orders"))["items"]
    expect(
        order["id"] in [o["id"] for o in items],
        "another customer's order is listed for the admin",
        response,
    )
    expect(
        all(o["user_id"] == bob.user_id and o["status"] == "pending" for o in items),
        "filters apply",
        response,
    )


@pytest.mark.requirement("ORD-014")
@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([(None, 0)], "items.0.quantity"),
        ([(None, -1)], "items.0.quantity"),
        ([(None, 101)], "items.0.quantity"),
        ([(None, 1_000_000_000)], "items.0.quantity"),
        ([], "items"),
        ([("missing", 1)], "items.0.product_id"),
        ([(None, 1), (None, 1)], "items"),
    ],
    ids=[
        "zero",
        "negative",
        "over-100",
        "absurd",
        "no-lines",
        "unknown-product",
        "duplicate-product",
    ],
)
def test_order_lines_are_bounded_and_refer_to_real_products(
    api: ApiClient,
    admin: Actor,
    alice: Actor,
    cleanup: Cleanup,
    lines: list[tuple[str | None, int]],
    field: str,
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    resolved = [(MISSING_ID if pid == "missing" else product["id"], qty) for pid, qty in lines]
    response = api.post("/orders", json=order_body(*resolved), headers=alice.headers)
    problem = expect_problem(response, 422, why=f"{field} is invalid")
    fields = named_fields(problem)
    expect(
        any(f == field or f.startswith(field) for f in fields),
        f"an errors entry naming {field}",
        response,
    )
    expect(get_product(api, product["id"])["stock"] == 10, "a refused order takes no stock")


async def _same_key_race(
    user: Actor, product_id: str, key: str, count: int
) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count, keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS)
    async with AsyncApiClient(
        base_url=current_run().api_url, timeout=60.0, limits=limits
    ) as client:
        headers = {**user.headers, "Idempotency-Key": key}
        body = order_body((product_id, 1))
        return await asyncio.gather(
            *(client.post("/orders", json=body, headers=headers) for _ in range(count))
        )


@pytest.mark.requirement("ORD-012", "ORD-010")
def test_concurrent_retries_place_one_order(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    responses = asyncio.run(_same_key_race(alice, product["id"], f"conform-{uuid.uuid4()}", 6))
    statuses = sorted(r.status_code for r in responses)
    expect(
        set(statuses) <= {201, 409},
        "each retry either replays the order (201) or is refused while in flight (409)",
        None,
        str(statuses),
    )
    order_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    expect(len(order_ids) == 1, "exactly one order is created", None, str(order_ids))
    expect(get_product(api, product["id"])["stock"] == 9, "its stock is reserved once")
