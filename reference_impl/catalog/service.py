"""The catalog service: categories and products for everyone, stock for admins and orders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from reference_impl.catalog.domain import (
    Category,
    CategoryNotFound,
    NewCategory,
    NewProduct,
    OutOfStock,
    PricedLine,
    Product,
    ProductFilter,
    ProductNotFound,
    StockLine,
    StockWouldGoNegative,
    UnknownProducts,
)
from reference_impl.catalog.repository import CategoryRepository, ProductRepository
from reference_impl.unit_of_work import UnitOfWork

__all__ = ["CatalogService"]

CATEGORY_FIELDS = frozenset({"slug", "name", "description"})
PRODUCT_FIELDS = frozenset({"name", "description", "price_amount", "currency", "category_id"})


class CatalogService:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    # --- categories ----------------------------------------------------------------------

    async def create_category(self, new: NewCategory) -> Category:
        return await CategoryRepository(self._pool).add(new)

    async def get_category(self, category_id: UUID) -> Category:
        category = await CategoryRepository(self._pool).get(category_id)
        if category is None:
            raise CategoryNotFound()
        return category

    async def update_category(self, category_id: UUID, changes: dict[str, Any]) -> Category:
        columns = {key: value for key, value in changes.items() if key in CATEGORY_FIELDS}
        repository = CategoryRepository(self._pool)
        category = await (
            repository.update(category_id, columns) if columns else repository.get(category_id)
        )
        if category is None:
            raise CategoryNotFound()
        return category

    async def delete_category(self, category_id: UUID) -> None:
        if not await CategoryRepository(self._pool).delete(category_id):
            raise CategoryNotFound()

    async def list_categories(self, *, limit: int, offset: int) -> tuple[list[Category], int]:
        return await CategoryRepository(self._pool).page(limit=limit, offset=offset)

    # --- products ------------------------------------------------------------------------

    async def create_product(self, new: NewProduct) -> Product:
        return await ProductRepository(self._pool).add(new)

    async def get_product(self, product_id: UUID) -> Product:
        product = await ProductRepository(self._pool).get(product_id)
        if product is None:
            raise ProductNotFound()
        return product

    async def update_product(self, product_id: UUID, changes: dict[str, Any]) -> Product:
        """``changes`` uses column names (price_amount, currency); stock is not among them."""
        columns = {key: value for key, value in changes.items() if key in PRODUCT_FIELDS}
        repository = ProductRepository(self._pool)
        product = await (
            repository.update(product_id, columns) if columns else repository.get(product_id)
        )
        if product is None:
            raise ProductNotFound()
        return product

    async def delete_product(self, product_id: UUID) -> None:
        if not await ProductRepository(self._pool).delete(product_id):
            raise ProductNotFound()

    async def list_products(
        self, criteria: ProductFilter, *, limit: int, offset: int
    ) -> tuple[list[Product], int]:
        return await ProductRepository(self._pool).page(criteria, limit=limit, offset=offset)

    async def adjust_stock(self, product_id: UUID, delta: int) -> Product:
        repository = ProductRepository(self._pool)
        adjusted = await repository.adjust_stock(product_id, delta)
        if adjusted is not None:
            return adjusted
        current = await repository.get(product_id)
        if current is None:
            raise ProductNotFound()
        raise StockWouldGoNegative(current.stock, delta)

    # --- the public API for orders: stock reservation inside the caller's transaction ----

    async def reserve_stock(self, uow: UnitOfWork, lines: list[StockLine]) -> list[PricedLine]:
        """Take stock for every line and price it, inside the caller's unit of work.

        Runs on the caller's connection so the stock update, the order and its outbox event
        commit or roll back together. That is the modular-monolith trade-off: one database,
        one transaction across two schemas, each still written only by its own service's
        code. Split into separate deployments, this becomes a saga (reserve, then confirm
        or compensate with ``release_stock``) behind an API call.

        Rows are locked in product-id order, whatever the order of the lines, so two orders
        sharing products can never wait on each other in a cycle (no deadlocks). Raises
        UnknownProducts (422) or OutOfStock (409, listing every short line); the caller's
        rollback then undoes what was taken.
        """
        position = {line.product_id: index for index, line in enumerate(lines)}
        products = ProductRepository(uow.connection)
        priced: dict[UUID, PricedLine] = {}
        short: list[StockLine] = []
        for line in sorted(lines, key=lambda line: line.product_id):
            taken = await products.take_stock(line.product_id, line.quantity)
            if taken is None:
                short.append(line)
            else:
                priced[line.product_id] = taken
        if short:
            levels = await products.stock_levels([line.product_id for line in short])
            unknown = [line for line in short if line.product_id not in levels]
            if unknown:
                raise UnknownProducts([position[line.product_id] for line in unknown])
            raise OutOfStock(
                [(line.product_id, line.quantity, levels[line.product_id]) for line in short]
            )
        return [priced[line.product_id] for line in lines]

    async def release_stock(self, uow: UnitOfWork, lines: list[StockLine]) -> None:
        """Give reserved stock back (a cancelled order), inside the caller's unit of work."""
        products = ProductRepository(uow.connection)
        for line in sorted(lines, key=lambda line: line.product_id):
            await products.return_stock(line.product_id, line.quantity)
