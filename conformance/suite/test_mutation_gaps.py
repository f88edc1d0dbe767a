"""Checks found missing by mutation testing (``make mutation``, ADR 0035).

Each test here was written for a mutant of the reference implementation that the rest of
the suite passed although a client could see the difference; the test names the boundary
or case that mutant got wrong. They are ordinary checks of their requirement, tagged with
its id, and run in every mode.
"""

from __future__ import annotations

import uuid

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_body
from refarch.conformance.kept_accounts import SPARE, kept_user
from refarch.conformance.order_shapes import lines_total
from refarch.conformance.polling import NOTIFICATION_DEADLINE_SECONDS, wait_for_notification
from refarch.conformance.shop import create_category, create_product, place_order

pytestmark = [pytest.mark.layer("scenarios")]
LATE = f"within {NOTIFICATION_DEADLINE_SECONDS:.0f} s"


@pytest.mark.services("orders", "catalog", "notifications", "users")
@pytest.mark.requirement("NTF-002")
def test_a_free_order_is_confirmed_too(api: ApiClient, admin: Actor, cleanup: Cleanup) -> None:
    # a price of 0 is valid (minimum: 0), so an order can total 0: its confirmation must
    # not be lost to a "positive amount" check somewhere on the way to the notification
    user = kept_user(api, admin, SPARE)  # not a shared customer: few other notifications
    product = create_product(api, admin, cleanup, stock=3, price=0)
    order = json_body(
        expect_status(place_order(api, user, (product["id"], 2)), 201, why="a free order")
    )
    total = lines_total(order)
    expect(total["amount"] == 0, "two free items total 0", None, str(total))
    confirmation = wait_for_notification(
        api, user, "order_confirmation", lambda n: n["data"].get("order_id") == order["id"]
    )
    expect(confirmation is not None, f"an order_confirmation for the free order {LATE}")


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-010")
def test_a_new_order_is_not_marked_as_replayed(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    # Idempotent-Replayed is "present, with the value true, when this answer repeats an
    # earlier one": a first answer, with or without a key, must not claim to be a repeat
    product = create_product(api, admin, cleanup, stock=5)
    for key in (None, f"first-{uuid.uuid4().hex}"):
        response = expect_status(
            place_order(api, alice, (product["id"], 1), key=key), 201, why="a new order"
        )
        expect(
            "idempotent-replayed" not in response.headers,
            "a new order's answer carries no Idempotent-Replayed header"
            + (" (with an Idempotency-Key)" if key else ""),
            response,
            f"Idempotent-Replayed: {response.headers.get('idempotent-replayed')!r}",
        )


@pytest.mark.services("catalog")
@pytest.mark.requirement("CAT-006")
def test_in_stock_false_lists_only_empty_products(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    category = create_category(api, admin, cleanup)
    stocked = create_product(api, admin, cleanup, stock=4, category_id=category["id"])
    empty = create_product(api, admin, cleanup, stock=0, category_id=category["id"])
    response = api.get(
        "/products", params={"category_id": category["id"], "in_stock": "false", "limit": 100}
    )
    page = json_body(expect_status(response, 200, why="in_stock=false is a valid filter"))
    listed = [item["id"] for item in page["items"]]
    expect(
        listed == [empty["id"]] and page["page"]["total"] == 1,
        "in_stock=false lists exactly the products with no stock",
        response,
        f"listed {listed}; the empty product is {empty['id']}, the stocked one {stocked['id']}",
    )
