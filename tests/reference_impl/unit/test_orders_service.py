"""OrdersService.place_order with in-memory repositories: no PostgreSQL, the real logic.

The catalog is the real CatalogService on the same fakes, so stock is taken and priced by
the code that runs in production; only the SQL is replaced.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any, TypeVar

import pytest

from refarch.reference_impl.catalog.domain import OutOfStock
from refarch.reference_impl.catalog.service import CatalogService
from refarch.reference_impl.orders.domain import IdempotencyKeyReused
from refarch.reference_impl.orders.service import OrdersService
from refarch.reference_impl.principal import Principal
from tests.reference_impl.unit.fakes import FakeDatabase, fake_uow_factory, product

T = TypeVar("T")

ADDRESS = {"name": "Ada", "line1": "1 Row", "city": "London", "postal_code": "N1", "country": "GB"}


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def orders_on(db: FakeDatabase) -> OrdersService:
    factory = fake_uow_factory(db)
    return OrdersService(factory, stock=CatalogService(factory))


def body(*lines: tuple[uuid.UUID, int]) -> dict[str, Any]:
    return {
        "items": [{"product_id": str(pid), "quantity": qty} for pid, qty in lines],
        "shipping_address": ADDRESS,
    }


def customer() -> Principal:
    return Principal(user_id=uuid.uuid4(), role="customer")


def test_ord_placing_takes_stock_prices_from_the_catalog_and_publishes_one_event() -> None:
    db = FakeDatabase()
    kettle, mug = product(stock=5, price=2999), product(stock=3, price=450)
    db.add_products(kettle, mug)
    buyer = customer()

    placed = run(orders_on(db).place_order(buyer, body((kettle.id, 2), (mug.id, 3))))

    assert (placed.status, placed.replayed) == (201, False)
    assert placed.body["total"] == {"amount": 2 * 2999 + 3 * 450, "currency": "EUR"}
    assert placed.body["user_id"] == str(buyer.user_id)
    assert [db.products[kettle.id].stock, db.products[mug.id].stock] == [3, 0]
    assert list(db.orders) == [uuid.UUID(placed.body["id"])]
    assert [(schema, e.event_type) for schema, e in db.outbox] == [
        ("catalog", "product.stock_changed"),
        ("catalog", "product.stock_changed"),
        ("orders", "order.placed"),
    ]


def test_ord_out_of_stock_is_409_listing_every_short_line_and_keeps_nothing() -> None:
    db = FakeDatabase()
    plenty, short = product(stock=10), product(stock=1)
    db.add_products(plenty, short)

    with pytest.raises(OutOfStock) as refused:
        run(orders_on(db).place_order(customer(), body((plenty.id, 2), (short.id, 5))))

    assert refused.value.extensions["out_of_stock"] == [
        {"product_id": str(short.id), "requested": 5, "available": 1}
    ]
    assert db.products[plenty.id].stock == 10, "the line already taken is rolled back"
    assert db.orders == {} and db.outbox == []


def test_ord_a_retry_with_the_same_key_replays_the_first_answer() -> None:
    db = FakeDatabase()
    kettle = product(stock=5)
    db.add_products(kettle)
    orders, buyer = orders_on(db), customer()

    first = run(orders.place_order(buyer, body((kettle.id, 2)), "key-1"))
    again = run(orders.place_order(buyer, body((kettle.id, 2)), "key-1"))

    assert (first.replayed, again.replayed) == (False, True)
    assert again.status == 201 and again.body == first.body
    assert len(db.orders) == 1 and db.products[kettle.id].stock == 3
    with pytest.raises(IdempotencyKeyReused):
        run(orders.place_order(buyer, body((kettle.id, 1)), "key-1"))


def test_ord_a_refused_placement_leaves_its_key_free_for_a_retry() -> None:
    db = FakeDatabase()
    kettle = product(stock=1)
    db.add_products(kettle)
    orders, buyer = orders_on(db), customer()

    with pytest.raises(OutOfStock):
        run(orders.place_order(buyer, body((kettle.id, 2)), "key-2"))
    db.products[kettle.id] = replace(kettle, stock=2)  # restocked
    retried = run(orders.place_order(buyer, body((kettle.id, 2)), "key-2"))

    assert (retried.status, retried.replayed) == (201, False)
    assert db.products[kettle.id].stock == 0
