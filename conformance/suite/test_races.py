"""Races a client can provoke: many concurrent writes to one product or one order.

A read-then-write implementation passes every sequential test and loses updates only when
requests overlap, so these checks send enough of them at once (all connections opened
first, then released together) and count the outcomes instead of timing anything: the
counts are exact for a correct implementation however the requests interleave.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient, AsyncApiClient
from refarch.conformance.expect import expect, expect_status
from refarch.conformance.options import current_run
from refarch.conformance.shop import create_product, get_product, place_order

RUN = current_run()
pytestmark = [pytest.mark.layer("scenarios")]

#: Enough overlapping requests that a lost update shows in every run (20 concurrent +1s
#: ended at +2 against a read-then-write implementation), few enough for a 2-core machine.
CONCURRENT_ADJUSTMENTS = 20
CONCURRENT_CANCELS = 10


async def _all_at_once(
    actor: Actor, count: int, method: str, path: str, body: Any = None
) -> list[httpx.Response]:
    """``count`` identical requests on ``count`` connections, released together."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with AsyncApiClient(base_url=RUN.api_url, timeout=60.0, limits=limits) as client:
        # open every connection first (a cheap public read each), so the writes below do
        # not queue behind connection set-up and really overlap at the server
        await asyncio.gather(*(client.get("/health") for _ in range(count)))
        start = asyncio.Event()

        async def one() -> httpx.Response:
            await start.wait()
            return await client.request(method, path, json=body, headers=actor.headers)

        tasks = [asyncio.create_task(one()) for _ in range(count)]
        await asyncio.sleep(0)  # every task is now waiting at the barrier
        start.set()
        return await asyncio.gather(*tasks)


@pytest.mark.services("catalog", "users")
@pytest.mark.requirement("CAT-008")
def test_concurrent_stock_adjustments_are_all_applied(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=0)
    responses = asyncio.run(
        _all_at_once(
            admin,
            CONCURRENT_ADJUSTMENTS,
            "POST",
            f"/products/{product['id']}/stock-adjustments",
            {"delta": 1, "reason": "conformance race"},
        )
    )
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
    responses = asyncio.run(
        _all_at_once(alice, CONCURRENT_CANCELS, "POST", f"/orders/{order['id']}/cancel")
    )
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
