"""Notifications appear after the events that cause them (polled for up to 5 s)."""

from __future__ import annotations

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_body
from refarch.conformance.polling import NOTIFICATION_DEADLINE_SECONDS, wait_for_notification
from refarch.conformance.shop import create_product, place_order

pytestmark = [pytest.mark.services("notifications", "users"), pytest.mark.layer("scenarios")]
LATE = f"within {NOTIFICATION_DEADLINE_SECONDS:.0f} s"


@pytest.mark.requirement("NTF-001")
def test_new_accounts_are_welcomed(api: ApiClient, registered: Actor) -> None:
    # the account this run registered (conformance.fixtures.registration): every run sees a
    # welcome arrive for a registration of its own, not one left by an earlier run
    user = registered
    welcome = wait_for_notification(api, user, "welcome")
    expect(welcome is not None, f"a welcome notification {LATE} of registering")
    listing = json_body(api.get("/notifications", params={"type": "welcome"}, headers=user.headers))
    expect(len(listing["items"]) == 1, "exactly one welcome notification", None, str(listing))


@pytest.mark.services("orders", "catalog")
@pytest.mark.requirement("NTF-002", "NTF-003")
def test_orders_are_confirmed_and_status_changes_announced(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    user = alice
    product = create_product(api, admin, cleanup, stock=5)
    order = json_body(
        expect_status(place_order(api, user, (product["id"], 1)), 201, why="order placed")
    )
    confirmation = wait_for_notification(
        api, user, "order_confirmation", lambda n: n["data"].get("order_id") == order["id"]
    )
    expect(confirmation is not None, f"an order_confirmation for the order {LATE}")
    expect_status(
        api.post(f"/orders/{order['id']}/cancel", headers=user.headers), 200, why="owner cancels"
    )
    changed = wait_for_notification(
        api,
        user,
        "order_status_changed",
        lambda n: (
            n["data"].get("order_id") == order["id"] and n["data"].get("status") == "cancelled"
        ),
    )
    expect(changed is not None, f"an order_status_changed with status cancelled {LATE}")


@pytest.mark.requirement("NTF-004", "NTF-005")
def test_notifications_are_private_and_unique_per_event(
    api: ApiClient, alice: Actor, bob: Actor, admin: Actor
) -> None:
    welcome = wait_for_notification(api, alice, "welcome")
    expect(welcome is not None, f"alice's welcome notification {LATE}")
    assert welcome is not None
    for reader in (bob, admin):
        response = api.get("/notifications", params={"limit": 100}, headers=reader.headers)
        items = json_body(
            expect_status(response, 200, why="everyone lists their own notifications")
        )["items"]
        expect(
            welcome["event_id"] not in [n["event_id"] for n in items],
            "another user's notification is never listed, for administrators too",
            response,
        )
    response = api.get("/notifications", params={"limit": 100}, headers=alice.headers)
    event_ids = [n["event_id"] for n in json_body(response)["items"]]
    expect(
        len(event_ids) == len(set(event_ids)), "no two notifications share an event_id", response
    )
    typed = api.get("/notifications", params={"type": "order_confirmation"}, headers=alice.headers)
    expect(
        all(n["type"] == "order_confirmation" for n in json_body(typed)["items"]),
        "the type filter applies",
        typed,
    )


def _announced(api: ApiClient, user: Actor, order_id: str, status: str) -> bool:
    return (
        wait_for_notification(
            api,
            user,
            "order_status_changed",
            lambda n: n["data"].get("order_id") == order_id and n["data"].get("status") == status,
        )
        is not None
    )


@pytest.mark.services("orders", "catalog")
@pytest.mark.requirement("NTF-003")
def test_every_status_change_is_announced(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    # every edge of the state machine, each way of cancelling: a sample missed a transition
    # that sent nothing
    product = create_product(api, admin, cleanup, stock=10)
    walks: list[tuple[str, list[str]]] = [
        ("transition", ["paid", "shipped", "delivered"]),
        ("transition", ["cancelled"]),
        ("transition", ["paid", "cancelled"]),
        ("cancelOrder", ["cancelled"]),
    ]
    missing = []
    for how, statuses in walks:
        order = json_body(
            expect_status(place_order(api, alice, (product["id"], 1)), 201, why="order placed")
        )
        previous = "pending"
        for status in statuses:
            if how == "cancelOrder":
                moved = api.post(f"/orders/{order['id']}/cancel", headers=alice.headers)
            else:
                moved = api.post(
                    f"/orders/{order['id']}/transitions", json={"to": status}, headers=admin.headers
                )
            expect_status(moved, 200, why=f"{previous} → {status} is allowed ({how})")
            if not _announced(api, alice, order["id"], status):
                missing.append(f"{previous} → {status} ({how}) of order {order['id']}")
            previous = status
    expect(
        not missing,
        f"an order_status_changed notification {LATE} of every status change",
        None,
        "none for: " + "; ".join(missing),
    )
