"""Placing, reading and changing orders against a real database."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.catalog.domain import OutOfStock, UnknownProducts
from refarch.reference_impl.orders.domain import (
    DuplicateProducts,
    IdempotencyKeyReused,
    InvalidTransition,
    NotCancellable,
    OrderNotFound,
)
from tests.reference_impl.services.factories import admin, customer, new_product, order_body

pytestmark = pytest.mark.anyio


async def test_ord_total_is_computed_from_current_prices(services: Services) -> None:
    cheap = await new_product(services, price=250, name="Pencil")
    dear = await new_product(services, price=1999, name="Notebook")

    placed = await services.orders.place_order(customer(), order_body((cheap, 4), (dear, 1)))

    assert placed.status == 201
    assert placed.body["total"] == {"amount": 4 * 250 + 1999, "currency": "EUR"}
    assert [(i["sku"], i["name"], i["line_total"]["amount"]) for i in placed.body["items"]] == [
        (cheap.sku, "Pencil", 1000),
        (dear.sku, "Notebook", 1999),
    ]
    assert (await services.catalog.get_product(cheap.id)).stock == 6


async def test_ord_out_of_stock_lists_every_short_line_and_reserves_nothing(
    services: Services,
) -> None:
    plenty, short, none = (
        await new_product(services, stock=10),
        await new_product(services, stock=1),
        await new_product(services, stock=0),
    )

    with pytest.raises(OutOfStock) as refused:
        await services.orders.place_order(
            customer(), order_body((plenty, 2), (short, 5), (none, 1))
        )

    assert sorted(refused.value.extensions["out_of_stock"], key=lambda s: s["available"]) == [
        {"product_id": str(none.id), "requested": 1, "available": 0},
        {"product_id": str(short.id), "requested": 5, "available": 1},
    ]
    assert (await services.catalog.get_product(plenty.id)).stock == 10


async def test_ord_unknown_product_is_422_naming_the_item(services: Services) -> None:
    known = await new_product(services)
    body = order_body((known, 1))
    body["items"].append({"product_id": str(uuid.uuid4()), "quantity": 1})  # type: ignore[attr-defined]

    with pytest.raises(UnknownProducts) as refused:
        await services.orders.place_order(customer(), body)

    assert refused.value.extensions["errors"] == [
        {"field": "items[1].product_id", "message": "unknown product"}
    ]
    assert (await services.catalog.get_product(known.id)).stock == 10


async def test_ord_duplicate_product_lines_are_422(services: Services) -> None:
    product = await new_product(services)

    with pytest.raises(DuplicateProducts) as refused:
        await services.orders.place_order(customer(), order_body((product, 1), (product, 2)))

    assert refused.value.extensions["errors"][0]["field"] == "items[1].product_id"


async def test_ord_same_key_different_body_is_422(services: Services) -> None:
    product = await new_product(services)
    buyer = customer()
    await services.orders.place_order(buyer, order_body((product, 1)), "key-a")

    with pytest.raises(IdempotencyKeyReused):
        await services.orders.place_order(buyer, order_body((product, 2)), "key-a")


async def test_ord_idempotency_keys_are_per_user(services: Services) -> None:
    product = await new_product(services)
    body = order_body((product, 1))

    first = await services.orders.place_order(customer(), body, "shared-key")
    second = await services.orders.place_order(customer(), body, "shared-key")

    assert not second.replayed
    assert second.body["id"] != first.body["id"]


async def test_ord_failed_placement_leaves_the_key_unused(services: Services) -> None:
    product = await new_product(services, stock=0)
    buyer, body = customer(), order_body((product, 1))
    with pytest.raises(OutOfStock):
        await services.orders.place_order(buyer, body, "key-after-restock")

    await services.catalog.adjust_stock(product.id, 5)
    placed = await services.orders.place_order(buyer, body, "key-after-restock")

    assert placed.status == 201 and not placed.replayed


async def test_ord_another_users_order_is_not_found_like_a_missing_one(services: Services) -> None:
    product = await new_product(services)
    owner = customer()
    order_id = UUID((await services.orders.place_order(owner, order_body((product, 1)))).body["id"])

    assert (await services.orders.get_order(owner, order_id)).id == order_id
    assert (await services.orders.get_order(admin(), order_id)).id == order_id
    for attempt in (
        services.orders.get_order(customer(), order_id),
        services.orders.cancel_order(customer(), order_id),
        services.orders.get_order(owner, uuid.uuid4()),
    ):
        with pytest.raises(OrderNotFound):
            await attempt


async def test_ord_state_machine_and_paid_cancellation_restores_stock(services: Services) -> None:
    product = await new_product(services, stock=5)
    owner, operator = customer(), admin()
    order_id = UUID((await services.orders.place_order(owner, order_body((product, 2)))).body["id"])

    with pytest.raises(InvalidTransition):
        await services.orders.transition_order(operator, order_id, "shipped")
    assert (await services.orders.transition_order(operator, order_id, "paid")).status == "paid"
    with pytest.raises(NotCancellable):
        await services.orders.cancel_order(owner, order_id)
    cancelled = await services.orders.transition_order(operator, order_id, "cancelled")

    assert cancelled.status == "cancelled"
    assert (await services.catalog.get_product(product.id)).stock == 5
    with pytest.raises(InvalidTransition):
        await services.orders.transition_order(operator, order_id, "paid")


async def test_ord_lists_filter_by_owner_and_status(services: Services) -> None:
    product = await new_product(services, stock=10)
    buyer = customer()
    ids = [
        UUID((await services.orders.place_order(buyer, order_body((product, 1)))).body["id"])
        for _ in range(3)
    ]
    await services.orders.place_order(customer(), order_body((product, 1)))
    await services.orders.cancel_order(buyer, ids[0])

    mine, total = await services.orders.list_orders(
        user_id=buyer.user_id, status=None, limit=2, offset=0
    )
    pending, pending_total = await services.orders.list_orders(
        user_id=buyer.user_id, status="pending", limit=20, offset=0
    )
    everyone, everyone_total = await services.orders.list_orders(
        user_id=None, status=None, limit=20, offset=0
    )

    assert (len(mine), total) == (2, 3)
    assert [o.id for o in mine] == [ids[2], ids[1]]  # newest first
    assert pending_total == 2 and {o.id for o in pending} == set(ids[1:])
    assert everyone_total == 4 and len(everyone) == 4
