"""Categories, products, search and stock adjustments against a real database."""

from __future__ import annotations

import uuid

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.catalog.domain import (
    CategoryInUse,
    DuplicateSku,
    DuplicateSlug,
    NewCategory,
    NewProduct,
    ProductFilter,
    ProductNotFound,
    StockWouldGoNegative,
    UnknownCategory,
)
from refarch.reference_impl.money import Money
from tests.reference_impl.services.factories import new_product, unique

pytestmark = pytest.mark.anyio


def slug() -> str:
    return f"cat-{uuid.uuid4().hex[:8]}"


async def test_cat_duplicate_slug_is_a_conflict(services: Services) -> None:
    category = await services.catalog.create_category(NewCategory(slug=slug(), name="Pens"))

    with pytest.raises(DuplicateSlug):
        await services.catalog.create_category(NewCategory(slug=category.slug, name="Other"))


async def test_cat_category_with_products_cannot_be_deleted(services: Services) -> None:
    category = await services.catalog.create_category(NewCategory(slug=slug(), name="Pens"))
    product = await services.catalog.create_product(
        NewProduct(sku=unique("PEN"), name="Pen", price=Money(100), category_id=category.id)
    )

    with pytest.raises(CategoryInUse):
        await services.catalog.delete_category(category.id)
    await services.catalog.delete_product(product.id)
    await services.catalog.delete_category(category.id)
    with pytest.raises(ProductNotFound):
        await services.catalog.get_product(product.id)


async def test_cat_duplicate_sku_and_unknown_category_are_refused(services: Services) -> None:
    product = await new_product(services)

    with pytest.raises(DuplicateSku):
        await services.catalog.create_product(
            NewProduct(sku=product.sku, name="Copy", price=Money(1))
        )
    with pytest.raises(UnknownCategory) as refused:
        await services.catalog.create_product(
            NewProduct(sku=unique("SKU"), name="Lost", price=Money(1), category_id=uuid.uuid4())
        )
    assert refused.value.extensions["errors"][0]["field"] == "category_id"


async def test_cat_products_filter_search_sort_and_count(services: Services) -> None:
    pens = await services.catalog.create_category(NewCategory(slug=slug(), name="Pens"))

    async def add(name: str, price: int, stock: int, description: str | None = None) -> None:
        await services.catalog.create_product(
            NewProduct(
                sku=unique("SKU"),
                name=name,
                price=Money(price),
                stock=stock,
                description=description,
                category_id=pens.id,
            )
        )

    await add("Fountain pen", 4500, 3, "Writes smoothly with bottled ink")
    await add("Ballpoint pen", 150, 0)
    await add("Gel pen", 300, 12, "Bright colours")
    await new_product(services, name="Stapler", price=900)

    async def names(**criteria: object) -> tuple[list[str], int]:
        products, total = await services.catalog.list_products(
            ProductFilter(category_id=pens.id, **criteria),  # type: ignore[arg-type]
            limit=20,
            offset=0,
        )
        return [p.name for p in products], total

    assert await names() == (["Ballpoint pen", "Fountain pen", "Gel pen"], 3)
    assert await names(sort="-price") == (["Fountain pen", "Gel pen", "Ballpoint pen"], 3)
    assert await names(min_price=200, max_price=4500) == (["Fountain pen", "Gel pen"], 2)
    assert await names(in_stock=True) == (["Fountain pen", "Gel pen"], 2)
    assert await names(q="ink") == (["Fountain pen"], 1)  # matches the description
    assert await names(q="pens -gel") == (["Ballpoint pen", "Fountain pen"], 2)  # stemmed
    page, total = await services.catalog.list_products(
        ProductFilter(category_id=pens.id), limit=2, offset=5
    )
    assert (page, total) == ([], 3)


async def test_cat_stock_adjustment_never_goes_below_zero(services: Services) -> None:
    product = await new_product(services, stock=5)

    assert (await services.catalog.adjust_stock(product.id, -5)).stock == 0
    with pytest.raises(StockWouldGoNegative):
        await services.catalog.adjust_stock(product.id, -1)
    assert (await services.catalog.adjust_stock(product.id, 7)).stock == 7
    with pytest.raises(ProductNotFound):
        await services.catalog.adjust_stock(uuid.uuid4(), 1)


async def test_cat_partial_updates_change_only_the_given_fields(services: Services) -> None:
    product = await new_product(services, price=1000, name="Lamp")

    updated = await services.catalog.update_product(
        product.id, {"price_amount": 1200, "currency": "EUR", "description": "LED"}
    )

    assert (updated.name, updated.price, updated.description, updated.stock) == (
        "Lamp",
        Money(1200),
        "LED",
        10,
    )
    assert updated.updated_at >= product.updated_at
