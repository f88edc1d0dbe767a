"""The catalog service: categories and products for everyone, stock for admins and orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from refarch.reference_impl.catalog.domain import (
    MAX_STOCK,
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
    StockWouldExceedMaximum,
    StockWouldGoNegative,
    UnknownProducts,
)
from refarch.reference_impl.catalog.repository import CatalogUnitOfWork
from refarch.reference_impl.events import Event
from refarch.reference_impl.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["CatalogService"]

CATEGORY_FIELDS = frozenset({"slug", "name", "description"})
PRODUCT_FIELDS = frozenset({"name", "description", "price_amount", "currency", "category_id"})
#: The fields product.updated names in ``changed``, and how to read each from a product.
_EVENT_FIELDS: dict[str, Callable[[Product], object]] = {
    "name": lambda product: product.name,
    "description": lambda product: product.description,
    "category": lambda product: product.category_id,
    "price": lambda product: product.price,
}


def _product_facts(product: Product) -> dict[str, Any]:
    return {
        "product_id": str(product.id),
        "name": product.name,
        "category": None if product.category_id is None else str(product.category_id),
        "price": product.price.as_json(),
    }


def _stock_event(
    product_id: UUID, stock: int, delta: int, reason: str, order_id: UUID | None
) -> Event:
    return Event(
        event_type="product.stock_changed",
        aggregate_type="product",
        aggregate_id=product_id,
        payload={
            "product_id": str(product_id),
            "stock": stock,
            "delta": delta,
            "reason": reason,
            "order_id": None if order_id is None else str(order_id),
        },
    )


class CatalogService:
    def __init__(self, uow: UnitOfWorkFactory[CatalogUnitOfWork]) -> None:
        self._uow = uow

    # --- categories ----------------------------------------------------------------------

    async def create_category(self, new: NewCategory) -> Category:
        async with self._uow(autocommit=True) as uow:
            return await uow.categories.add(new)

    async def get_category(self, category_id: UUID) -> Category:
        async with self._uow(autocommit=True) as uow:
            category = await uow.categories.get(category_id)
        if category is None:
            raise CategoryNotFound()
        return category

    async def update_category(self, category_id: UUID, changes: dict[str, Any]) -> Category:
        columns = {key: value for key, value in changes.items() if key in CATEGORY_FIELDS}
        async with self._uow(autocommit=True) as uow:
            categories = uow.categories
            category = await (
                categories.update(category_id, columns) if columns else categories.get(category_id)
            )
        if category is None:
            raise CategoryNotFound()
        return category

    async def delete_category(self, category_id: UUID) -> None:
        async with self._uow(autocommit=True) as uow:
            if not await uow.categories.delete(category_id):
                raise CategoryNotFound()

    async def list_categories(self, *, limit: int, offset: int) -> tuple[list[Category], int]:
        async with self._uow(autocommit=True) as uow:
            return await uow.categories.page(limit=limit, offset=offset)

    # --- products ------------------------------------------------------------------------

    async def create_product(self, new: NewProduct) -> Product:
        async with self._uow() as uow:
            product = await uow.products.add(new)
            facts = _product_facts(product) | {"sku": product.sku, "stock": product.stock}
            uow.publish("catalog", Event("product.created", "product", product.id, facts))
            await uow.commit()
        return product

    async def get_product(self, product_id: UUID) -> Product:
        async with self._uow(autocommit=True) as uow:
            product = await uow.products.get(product_id)
        if product is None:
            raise ProductNotFound()
        return product

    async def update_product(self, product_id: UUID, changes: dict[str, Any]) -> Product:
        """``changes`` uses column names (price_amount, currency); stock is not among them."""
        columns = {key: value for key, value in changes.items() if key in PRODUCT_FIELDS}
        async with self._uow() as uow:
            products = uow.products
            # Locked, so `changed` compares with the values this update really replaces.
            before = await products.get(product_id, for_update=True)
            if before is None:
                raise ProductNotFound()
            product = await products.update(product_id, columns) if columns else before
            assert product is not None  # locked above: it cannot have gone
            changed = [
                name for name, read in _EVENT_FIELDS.items() if read(before) != read(product)
            ]
            if changed:
                facts = _product_facts(product) | {"changed": changed}
                uow.publish("catalog", Event("product.updated", "product", product.id, facts))
            await uow.commit()
        return product

    async def delete_product(self, product_id: UUID) -> None:
        async with self._uow(autocommit=True) as uow:
            if not await uow.products.delete(product_id):
                raise ProductNotFound()

    async def list_products(
        self, criteria: ProductFilter, *, limit: int, offset: int
    ) -> tuple[list[Product], int]:
        async with self._uow(autocommit=True) as uow:
            return await uow.products.page(criteria, limit=limit, offset=offset)

    async def adjust_stock(self, product_id: UUID, delta: int) -> Product:
        async with self._uow() as uow:
            adjusted = await uow.products.adjust_stock(product_id, delta)
            if adjusted is not None:
                if delta != 0:
                    uow.publish(
                        "catalog",
                        _stock_event(product_id, adjusted.stock, delta, "adjustment", None),
                    )
                await uow.commit()
                return adjusted
            current = await uow.products.get(product_id)
        if current is None:
            raise ProductNotFound()
        if current.stock + delta > MAX_STOCK:
            raise StockWouldExceedMaximum(current.stock, delta)
        raise StockWouldGoNegative(current.stock, delta)

    # --- the public API for orders: stock reservation inside the caller's transaction ----

    async def reserve_stock(
        self, uow: UnitOfWork, lines: list[StockLine], *, order_id: UUID
    ) -> list[PricedLine]:
        """Take stock for every line and price it, inside the caller's unit of work.

        Runs in the caller's transaction so the stock update, the order and its outbox event
        commit or roll back together. That is the modular-monolith trade-off: one database,
        one transaction across two schemas, each still written only by its own service's
        code. Split into separate deployments, this becomes a saga (reserve, then confirm
        or compensate with ``release_stock``) behind an API call.

        Rows are locked in product-id order, whatever the order of the lines, so two orders
        sharing products can never wait on each other in a cycle (no deadlocks). Raises
        UnknownProducts (422, naming the lines by position) or OutOfStock (409, listing every
        short line); the caller's rollback then undoes what was taken.
        """
        position = {line.product_id: index for index, line in enumerate(lines)}
        priced: dict[UUID, PricedLine] = {}
        short: list[StockLine] = []
        async with self._uow(within=uow) as catalog:
            for line in sorted(lines, key=lambda line: line.product_id):
                taken = await catalog.products.take_stock(line.product_id, line.quantity)
                if taken is None:
                    short.append(line)
                else:
                    priced[line.product_id] = taken[0]
                    catalog.publish(
                        "catalog",
                        _stock_event(
                            line.product_id, taken[1], -line.quantity, "order_placed", order_id
                        ),
                    )
            if short:
                levels = await catalog.products.stock_levels([line.product_id for line in short])
                unknown = [line for line in short if line.product_id not in levels]
                if unknown:
                    raise UnknownProducts([position[line.product_id] for line in unknown])
                raise OutOfStock(
                    [(line.product_id, line.quantity, levels[line.product_id]) for line in short]
                )
        return [priced[line.product_id] for line in lines]

    async def release_stock(
        self, uow: UnitOfWork, lines: list[StockLine], *, order_id: UUID, reason: str
    ) -> None:
        """Give reserved stock back (a cancelled order), inside the caller's unit of work.

        ``reason`` is the stock event's: order_cancelled or order_expired.
        """
        async with self._uow(within=uow) as catalog:
            for line in sorted(lines, key=lambda line: line.product_id):
                stock = await catalog.products.return_stock(line.product_id, line.quantity)
                if stock is not None:  # a deleted product has no stock to change
                    catalog.publish(
                        "catalog",
                        _stock_event(line.product_id, stock, line.quantity, reason, order_id),
                    )
