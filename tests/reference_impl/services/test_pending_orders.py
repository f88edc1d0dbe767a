"""Stock cannot be hoarded: a customer holds at most a configured number of unpaid pending
orders, and a pending order left unpaid past its time limit expires and gives its stock
back (housekeeping)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.errors import Conflict
from tests.reference_impl.services.factories import admin, customer, new_product, order_body

pytestmark = pytest.mark.anyio


async def _stock(services: Services, product_id: uuid.UUID) -> int:
    return (await services.catalog.get_product(product_id)).stock


async def _age(services: Services, order_id: str, seconds: int) -> None:
    # test set-up only: make an order look older than it is
    await services.pool.execute(
        "UPDATE orders.orders SET created_at = created_at - make_interval(secs => $2)"
        " WHERE id = $1",
        uuid.UUID(order_id),
        seconds,
    )


async def test_a_customer_cannot_hold_more_pending_orders_than_the_limit(
    services: Services,
) -> None:
    buyer, limit = customer(), services.settings.max_pending_orders
    product = await new_product(services, stock=1000)
    placed = [
        await services.orders.place_order(buyer, order_body((product, 1))) for _ in range(limit)
    ]

    with pytest.raises(Conflict, match="pending orders"):
        await services.orders.place_order(buyer, order_body((product, 1)))
    assert await _stock(services, product.id) == 1000 - limit

    await services.orders.cancel_order(buyer, uuid.UUID(placed[0].body["id"]))
    again = await services.orders.place_order(buyer, order_body((product, 1)))
    assert again.status == 201
    other = await services.orders.place_order(customer(), order_body((product, 1)))
    assert other.status == 201  # the limit is per customer


async def test_the_pending_order_limit_holds_under_concurrency(services: Services) -> None:
    buyer, limit = customer(), services.settings.max_pending_orders
    product = await new_product(services, stock=1000)

    outcomes = await asyncio.gather(
        *(services.orders.place_order(buyer, order_body((product, 1))) for _ in range(limit * 3)),
        return_exceptions=True,
    )

    placed = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(placed), len(refused)) == (limit, limit * 2), outcomes


async def test_unpaid_pending_orders_expire_and_give_their_stock_back(services: Services) -> None:
    buyer, ttl = customer(), services.settings.pending_order_ttl_seconds
    product = await new_product(services, stock=10)
    stale = await services.orders.place_order(buyer, order_body((product, 3)))
    paid = await services.orders.place_order(buyer, order_body((product, 2)))
    fresh = await services.orders.place_order(buyer, order_body((product, 1)))
    await services.orders.transition_order(admin(), uuid.UUID(paid.body["id"]), "paid")
    await _age(services, stale.body["id"], ttl + 60)
    await _age(services, paid.body["id"], ttl + 60)
    assert await _stock(services, product.id) == 4

    expired = await services.orders.expire_pending()

    assert expired == 1
    status = {
        name: (await services.orders.get_order(buyer, uuid.UUID(placed.body["id"]))).status
        for name, placed in (("stale", stale), ("paid", paid), ("fresh", fresh))
    }
    assert status == {"stale": "cancelled", "paid": "paid", "fresh": "pending"}
    assert await _stock(services, product.id) == 7
    assert await services.orders.expire_pending() == 0  # stock is returned exactly once
