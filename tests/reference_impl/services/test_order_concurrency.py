"""Orders under concurrency: no oversell, one order per idempotency key, stock returned once."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.catalog.domain import OutOfStock
from refarch.reference_impl.orders.domain import IdempotencyKeyInFlight, NotCancellable
from refarch.reference_impl.orders.service import PlacedOrder
from tests.reference_impl.services.factories import customer, new_product, order_body

pytestmark = pytest.mark.anyio


async def test_ord_concurrent_orders_never_oversell(services: Services) -> None:
    product = await new_product(services, stock=50)
    body = order_body((product, 1))

    results = await asyncio.gather(
        *(services.orders.place_order(customer(), body) for _ in range(200)),
        return_exceptions=True,
    )

    placed = [r for r in results if isinstance(r, PlacedOrder)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    # Count the successes, not the stock: an oversell can still leave stock at 0 (ADR 0014).
    assert len(placed) == 50
    assert len(refused) == 150
    assert (await services.catalog.get_product(product.id)).stock == 0
    assert await services.pool.fetchval("SELECT count(*) FROM orders.orders") == 50
    assert refused[0].extensions["out_of_stock"] == [
        {"product_id": str(product.id), "requested": 1, "available": 0}
    ]


async def test_ord_multi_item_orders_in_opposite_line_order_do_not_deadlock(
    services: Services,
) -> None:
    first, second = await new_product(services, stock=40), await new_product(services, stock=40)
    forwards, backwards = order_body((first, 1), (second, 1)), order_body((second, 1), (first, 1))

    results = await asyncio.gather(
        *(services.orders.place_order(customer(), b) for b in [forwards, backwards] * 30),
        return_exceptions=True,
    )

    assert sum(isinstance(r, PlacedOrder) for r in results) == 40
    assert sum(isinstance(r, OutOfStock) for r in results) == 20
    assert (await services.catalog.get_product(first.id)).stock == 0
    assert (await services.catalog.get_product(second.id)).stock == 0


async def test_ord_concurrent_retries_with_one_idempotency_key_create_one_order(
    services: Services,
) -> None:
    product = await new_product(services, stock=100)
    buyer, body = customer(), order_body((product, 2))

    results = await asyncio.gather(
        *(services.orders.place_order(buyer, body, "retry-key-1") for _ in range(25)),
        return_exceptions=True,
    )

    assert all(isinstance(r, PlacedOrder | IdempotencyKeyInFlight) for r in results), results
    originals = [r for r in results if isinstance(r, PlacedOrder) and not r.replayed]
    assert len(originals) == 1
    assert await services.pool.fetchval("SELECT count(*) FROM orders.orders") == 1
    assert (await services.catalog.get_product(product.id)).stock == 98
    replay = await services.orders.place_order(buyer, body, "retry-key-1")
    assert replay.replayed and replay.body == originals[0].body


async def test_ord_cancel_restores_stock_once_when_cancelled_twice_concurrently(
    services: Services,
) -> None:
    product = await new_product(services, stock=10)
    buyer = customer()
    placed = await services.orders.place_order(buyer, order_body((product, 3)))
    order_id = UUID(placed.body["id"])

    results = await asyncio.gather(
        services.orders.cancel_order(buyer, order_id),
        services.orders.cancel_order(buyer, order_id),
        return_exceptions=True,
    )

    assert sum(isinstance(r, NotCancellable) for r in results) == 1
    assert [r.status for r in results if not isinstance(r, BaseException)] == ["cancelled"]
    assert (await services.catalog.get_product(product.id)).stock == 10
