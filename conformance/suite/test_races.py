"""Races a client can provoke: many concurrent writes to one product or one order.

A read-then-write implementation passes every sequential test and loses updates only when
requests overlap, so these checks send enough of them at once (conformance.concurrency)
and count the outcomes instead of timing anything: the counts are exact for a correct
implementation however the requests interleave.
"""

from __future__ import annotations

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.concurrency import Call, all_at_once
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status
from refarch.conformance.shop import create_product, get_product, place_order

pytestmark = [pytest.mark.layer("scenarios")]

#: Enough overlapping requests that a lost update shows in every run (20 concurrent +1s
#: ended at +2 against a read-then-write implementation), few enough for a 2-core machine.
CONCURRENT_ADJUSTMENTS = 20
CONCURRENT_CANCELS = 10


@pytest.mark.services("catalog", "users")
@pytest.mark.requirement("CAT-008")
def test_concurrent_stock_adjustments_are_all_applied(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=0)
    adjust = Call(
        "POST",
        f"/products/{product['id']}/stock-adjustments",
        {"delta": 1, "reason": "conformance race"},
        admin.headers,
    )
    responses = all_at_once([adjust] * CONCURRENT_ADJUSTMENTS)
    statuses = sorted(r.status_code for r in responses)
    applied = statuses.count(200)
    expect(
        applied == CONCURRENT_ADJUSTMENTS,
        f"all {CONCURRENT_ADJUSTMENTS} concurrent +1 adjustments answer 200",
        None,
        f"statuses {statuses}",
    )
    stock = get_product(api, product["id"])["stock"]
    expect(
        stock == applied,
        f"stock = 0 + one unit per applied adjustment ({applied}): none is lost",
        None,
        f"stock {stock} after {applied} adjustments answered 200",
    )


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-008")
def test_concurrent_cancels_restore_stock_once(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    placed = place_order(api, alice, (product["id"], 3))
    order = expect_status(placed, 201, why="a valid order for products in stock").json()
    cancel = Call("POST", f"/orders/{order['id']}/cancel", headers=alice.headers)
    responses = all_at_once([cancel] * CONCURRENT_CANCELS)
    statuses = sorted(r.status_code for r in responses)
    expect(
        statuses.count(200) == 1 and set(statuses) <= {200, 409},
        f"exactly one of {CONCURRENT_CANCELS} concurrent cancels succeeds, the rest answer 409",
        None,
        f"statuses {statuses}",
    )
    stock = get_product(api, product["id"])["stock"]
    expect(
        stock == 10,
        "the order's 3 units are returned to stock once (10 again)",
        None,
        f"stock {stock}",
    )
