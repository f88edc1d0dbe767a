"""Every order a list promises, including its tie-break, with data the run creates.

A list in the wrong order passes every schema check ("my orders" oldest first did), and a
missing tie-break shows only when keys are equal, so each check makes equal keys on
purpose. Names are compared only among items the run created with the same name, never
across names: collations legitimately differ between databases.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_body
from refarch.conformance.polling import wait_for_notification
from refarch.conformance.shop import create_category, create_product, place_order

pytestmark = [pytest.mark.layer("scenarios")]

SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda item: item["name"],
    "price": lambda item: item["price"]["amount"],
    "created_at": lambda item: _when(item["created_at"]),
}


def _when(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _items(api: ApiClient, path: str, why: str, **kwargs: Any) -> list[dict[str, Any]]:
    response = api.get(path, **kwargs)
    items: list[dict[str, Any]] = json_body(expect_status(response, 200, why=why))["items"]
    return items


def _ids_monotonic(ids: list[str]) -> bool:
    return ids == sorted(ids) or ids == sorted(ids, reverse=True)


def _by_time(items: list[dict[str, Any]], *, newest_first: bool) -> tuple[bool, bool]:
    """(times in the promised direction, equal times broken by id in one direction)."""
    times = [_when(item["created_at"]) for item in items]
    ordered = times == sorted(times, reverse=newest_first)
    groups: dict[datetime, list[str]] = {}
    for item, when in zip(items, times, strict=True):
        groups.setdefault(when, []).append(item["id"])
    return ordered, all(_ids_monotonic(ids) for ids in groups.values())


@pytest.mark.services("catalog", "users")
@pytest.mark.requirement("CAT-007")
def test_every_product_sort_key_orders_items_and_breaks_ties_by_id(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    category = create_category(api, admin, cleanup)
    # equal names and equal prices: every sort key meets ties, which only the id can break
    for price in (100, 100, 100, 200):
        create_product(
            api, admin, cleanup, price=price, category_id=category["id"], name="Tie widget"
        )
    for sort, key in SORT_KEYS.items():
        for descending in (False, True):
            param = f"-{sort}" if descending else sort
            items = _items(
                api,
                "/products",
                f"sort={param}",
                params={"category_id": category["id"], "sort": param, "limit": 100},
            )
            keys = [key(item) for item in items]
            expect(
                keys == sorted(keys, reverse=descending),
                f"sort={param} orders items by {sort}{' descending' if descending else ''}",
                None,
                str(keys),
            )
            ties: dict[Any, list[str]] = {}
            for item in items:
                ties.setdefault(key(item), []).append(item["id"])
            expect(
                all(_ids_monotonic(ids) for ids in ties.values()),
                f"sort={param}: items with equal {sort} are ordered by id (the tie-breaker)",
                None,
                str([ids for ids in ties.values() if len(ids) > 1]),
            )


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-005")
def test_my_orders_are_listed_newest_first(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    placed = []
    for _ in range(3):
        response = place_order(api, alice, (product["id"], 1))
        placed.append(expect_status(response, 201, why="a valid order").json()["id"])
    items = _items(api, "/orders", "list my orders", params={"limit": 100}, headers=alice.headers)
    # as a set: an implementation may store seconds, and equal times are ordered by id
    expect(
        {item["id"] for item in items[:3]} == set(placed),
        "the three orders just placed lead the list",
        None,
        str([item["id"] for item in items[:3]]),
    )
    ordered, ties = _by_time(items, newest_first=True)
    expect(ordered, "the whole page is newest first", None, str([i["created_at"] for i in items]))
    expect(ties, "orders placed at the same instant are ordered by id", None, str(items[:5]))


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-006")
def test_all_orders_are_listed_newest_first(
    api: ApiClient, admin: Actor, bob: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    placed = [
        expect_status(place_order(api, bob, (product["id"], 1)), 201, why="a valid order").json()[
            "id"
        ]
        for _ in range(2)
    ]
    items = _items(
        api,
        "/admin/orders",
        "list all orders as the admin",
        params={"user_id": bob.user_id, "limit": 100},
        headers=admin.headers,
    )
    expect(
        {item["id"] for item in items[:2]} == set(placed),
        "the customer's two newest orders lead the admin's list",
        None,
        str([item["id"] for item in items[:2]]),
    )
    ordered, _ = _by_time(items, newest_first=True)
    expect(ordered, "the admin's list is newest first", None, str([i["created_at"] for i in items]))


@pytest.mark.services("users")
@pytest.mark.requirement("API-027")
def test_accounts_are_listed_oldest_first(api: ApiClient, admin: Actor, alice: Actor) -> None:
    items = _items(api, "/users", "list accounts", params={"limit": 100}, headers=admin.headers)
    ordered, ties = _by_time(items, newest_first=False)
    expect(ordered, "accounts oldest first", None, str([i["created_at"] for i in items]))
    expect(ties, "accounts created at the same instant are ordered by id", None, str(items[:5]))


@pytest.mark.services("catalog", "users")
@pytest.mark.requirement("API-027")
def test_categories_are_listed_by_name_then_id(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # a name that sorts first in any collation, shared by three categories: only the id
    # can order them
    name = f"0 conformance ordering {secrets.token_hex(4)}"
    made = {create_category(api, admin, cleanup, name=name)["id"] for _ in range(3)}
    items = _items(api, "/categories", "list categories", params={"limit": 100})
    ours = [item["id"] for item in items if item["id"] in made]
    expect(len(ours) == 3, "the three new categories are on the first page", None, str(ours))
    expect(
        ours == sorted(ours),
        "categories with the same name are ordered by id",
        None,
        str(ours),
    )
    positions = [index for index, item in enumerate(items) if item["id"] in made]
    expect(
        positions == list(range(positions[0], positions[0] + 3)),
        "categories with the same name are listed together",
        None,
        str(positions),
    )


@pytest.mark.services("notifications", "orders", "catalog", "users")
@pytest.mark.requirement("API-027")
def test_notifications_are_listed_newest_first(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    placed = [
        expect_status(place_order(api, alice, (product["id"], 1)), 201, why="a valid order").json()[
            "id"
        ]
        for _ in range(2)
    ]
    # two notifications at least, one per order; the promise is about created_at
    last = wait_for_notification(
        api, alice, "order_confirmation", lambda n: n["data"].get("order_id") == placed[-1]
    )
    expect(last is not None, "the second order is confirmed", None, placed[-1])
    items = _items(
        api, "/notifications", "list my notifications", params={"limit": 100}, headers=alice.headers
    )
    ordered, ties = _by_time(items, newest_first=True)
    expect(ordered, "notifications newest first", None, str([i["created_at"] for i in items]))
    expect(ties, "notifications from the same instant are ordered by id", None, str(items[:5]))
