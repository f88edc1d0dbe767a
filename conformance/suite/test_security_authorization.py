"""OWASP API1:2023 (object level) and API5:2023 (function level) authorization, with two
ordinary users and the admin."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_body
from refarch.conformance.options import current_run
from refarch.conformance.schemas import operation_index
from refarch.conformance.shop import create_product, get_product, place_order
from refarch.conformance.testdata import random_sku, random_slug

pytestmark = [pytest.mark.layer("security")]
RUN = current_run()
SAME = ("type", "title", "status", "detail")


def _indistinguishable(mine: httpx.Response, missing: httpx.Response, what: str) -> None:
    """Another user's object must answer exactly like an id that does not exist."""
    expect_status(
        mine,
        missing.status_code,
        why=f"{what} must look like a missing id (HTTP {missing.status_code})",
    )
    theirs, absent = json_body(mine), json_body(missing)
    expect(
        {k: theirs.get(k) for k in SAME} == {k: absent.get(k) for k in SAME},
        f"{what}: the same status, title and detail as a missing id",
        mine,
        f"{theirs} vs {absent}",
    )


@pytest.mark.services("users")
@pytest.mark.requirement("USR-008")
def test_another_users_account_looks_missing(api: ApiClient, alice: Actor, bob: Actor) -> None:
    other = api.get(f"/users/{alice.user_id}", headers=bob.headers)
    missing = api.get(f"/users/{uuid.uuid4()}", headers=bob.headers)
    _indistinguishable(other, missing, "another user's account")


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-004", "ORD-005")
def test_another_customers_order_looks_missing_and_is_not_listed(
    api: ApiClient, admin: Actor, alice: Actor, bob: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=5)
    order = json_body(
        expect_status(place_order(api, alice, (product["id"], 1)), 201, why="alice orders")
    )
    _indistinguishable(
        api.get(f"/orders/{order['id']}", headers=bob.headers),
        api.get(f"/orders/{uuid.uuid4()}", headers=bob.headers),
        "getOrder on alice's order",
    )
    _indistinguishable(
        api.post(f"/orders/{order['id']}/cancel", headers=bob.headers),
        api.post(f"/orders/{uuid.uuid4()}/cancel", headers=bob.headers),
        "cancelOrder on alice's order",
    )
    after = json_body(api.get(f"/orders/{order['id']}", headers=alice.headers))
    expect(
        after["status"] == "pending" and get_product(api, product["id"])["stock"] == 4,
        "bob's attempts change nothing",
        None,
        str(after["status"]),
    )
    listed = api.get("/orders", params={"limit": 100}, headers=bob.headers)
    items = json_body(expect_status(listed, 200, why="bob lists his orders"))["items"]
    expect(
        all(o["user_id"] == bob.user_id for o in items)
        and order["id"] not in [o["id"] for o in items],
        "listMyOrders returns only the caller's orders",
        listed,
    )


def _concrete(path: str) -> str:
    for name in ("user_id", "order_id", "product_id", "category_id"):
        path = path.replace("{" + name + "}", str(uuid.uuid4()))
    return path


def _admin_body(operation_id: str) -> dict[str, Any] | None:
    """A valid body for each admin operation that takes one, so a 403 cannot hide behind a
    422; unique values, in case a broken implementation lets the request through."""
    bodies: dict[str, dict[str, Any]] = {
        "adminUpdateUser": {"status": "suspended"},
        "createCategory": {"slug": random_slug(), "name": "Forbidden"},
        "updateCategory": {"name": "Forbidden"},
        "createProduct": {
            "sku": random_sku(),
            "name": "Forbidden",
            "price": {"amount": 1, "currency": "EUR"},
        },
        "updateProduct": {"name": "Forbidden"},
        "adjustStock": {"delta": 1},
        "transitionOrder": {"to": "paid"},
    }
    return bodies.get(operation_id)


@pytest.mark.services("users")
@pytest.mark.requirement("SEC-005")
def test_every_admin_operation_refuses_customers(api: ApiClient, alice: Actor) -> None:
    admin_operations = [
        op
        for op in operation_index(RUN.version).values()
        if op.admin_only and op.service in RUN.services
    ]
    expect(bool(admin_operations), "the specs mark admin operations with x-required-role: admin")
    for op in admin_operations:
        body = _admin_body(op.operation_id)
        response = api.request(
            op.method, _concrete(op.path), headers=alice.headers, **({"json": body} if body else {})
        )
        expect_status(
            response, 403, why=f"{op.operation_id} is admin-only (x-required-role: admin)"
        )
