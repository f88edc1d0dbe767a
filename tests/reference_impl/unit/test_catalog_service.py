"""CatalogService with in-memory repositories: stock rules without PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from refarch.reference_impl.catalog.domain import (
    OutOfStock,
    ProductNotFound,
    StockLine,
    StockWouldGoNegative,
    UnknownProducts,
)
from refarch.reference_impl.catalog.service import CatalogService
from tests.reference_impl.unit.fakes import FakeDatabase, FakeUnitOfWork, fake_uow_factory, product

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def catalog_on(db: FakeDatabase) -> CatalogService:
    return CatalogService(fake_uow_factory(db))


def test_cat_stock_adjustment_never_goes_below_zero() -> None:
    db = FakeDatabase()
    lamp = product(stock=3)
    db.add_products(lamp)
    catalog = catalog_on(db)

    assert run(catalog.adjust_stock(lamp.id, -2)).stock == 1
    with pytest.raises(StockWouldGoNegative) as refused:
        run(catalog.adjust_stock(lamp.id, -2))
    assert refused.value.extensions == {"available": 1}
    assert db.products[lamp.id].stock == 1
    with pytest.raises(ProductNotFound):
        run(catalog.adjust_stock(uuid.uuid4(), 1))


def test_cat_an_update_without_updatable_fields_returns_the_product_unchanged() -> None:
    db = FakeDatabase()
    lamp = product(stock=3, name="Lamp")
    db.add_products(lamp)

    unchanged = run(catalog_on(db).update_product(lamp.id, {"stock": 99}))

    assert unchanged == lamp


def test_ord_reservation_names_unknown_products_by_their_position() -> None:
    db = FakeDatabase()
    lamp = product(stock=3)
    db.add_products(lamp)
    lines = [StockLine(lamp.id, 1), StockLine(uuid.uuid4(), 1), StockLine(uuid.uuid4(), 2)]

    async def reserve() -> None:
        async with FakeUnitOfWork(db) as uow:
            await catalog_on(db).reserve_stock(uow, lines, order_id=uuid.uuid4())  # type: ignore[arg-type]

    with pytest.raises(UnknownProducts) as refused:
        run(reserve())

    assert sorted(e["field"] for e in refused.value.extensions["errors"]) == [
        "items[1].product_id",
        "items[2].product_id",
    ]
    assert db.products[lamp.id].stock == 3


def test_ord_reservation_prices_lines_in_request_order_and_lists_every_shortage() -> None:
    db = FakeDatabase()
    first, second, third = product(stock=5, price=100), product(stock=1), product(stock=0)
    db.add_products(first, second, third)
    catalog = catalog_on(db)

    async def reserve(lines: list[StockLine]) -> Any:
        async with FakeUnitOfWork(db) as uow:
            priced = await catalog.reserve_stock(uow, lines, order_id=uuid.uuid4())  # type: ignore[arg-type]
            await uow.commit()
            return priced

    priced = run(reserve([StockLine(second.id, 1), StockLine(first.id, 2)]))
    assert [(p.product_id, p.quantity) for p in priced] == [(second.id, 1), (first.id, 2)]
    assert priced[1].unit_price.amount == 100

    with pytest.raises(OutOfStock) as refused:
        run(reserve([StockLine(first.id, 9), StockLine(third.id, 1)]))
    short = {line["product_id"] for line in refused.value.extensions["out_of_stock"]}
    assert short == {str(first.id), str(third.id)}
