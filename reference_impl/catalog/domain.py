"""The catalog domain: categories, products, stock lines and the errors the catalog raises.

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from refarch.reference_impl.errors import Conflict, InvalidInput, NotFound
from refarch.reference_impl.money import Money

__all__ = [
    "MAX_STOCK",
    "PRODUCT_SORTS",
    "Category",
    "CategoryInUse",
    "CategoryNotFound",
    "DuplicateSku",
    "DuplicateSlug",
    "NewCategory",
    "NewProduct",
    "OutOfStock",
    "PricedLine",
    "Product",
    "ProductFilter",
    "ProductNotFound",
    "StockLine",
    "StockWouldExceedMaximum",
    "StockWouldGoNegative",
    "UnknownCategory",
    "UnknownProducts",
]

#: listProducts ``sort`` values; a leading "-" means descending.
PRODUCT_SORTS = ("name", "-name", "price", "-price", "created_at", "-created_at")


class CategoryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No category with this id.")


class ProductNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No product with this id.")


class DuplicateSlug(Conflict):
    def __init__(self, slug: str) -> None:
        super().__init__(f"A category with slug {slug!r} already exists.")


class DuplicateSku(Conflict):
    def __init__(self, sku: str) -> None:
        super().__init__(f"A product with SKU {sku!r} already exists.")


class CategoryInUse(Conflict):
    def __init__(self) -> None:
        super().__init__("The category still has products; move or delete them first.")


class UnknownCategory(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "The category does not exist.",
            [{"field": "category_id", "message": "unknown category"}],
        )


class StockWouldGoNegative(Conflict):
    def __init__(self, available: int, delta: int) -> None:
        super().__init__(
            f"Adjusting stock by {delta} would leave {available + delta}; stock cannot go below 0.",
            available=available,
        )


#: The spec's Product.stock maximum, also a CHECK in the database. It keeps every stock sum
#: far from the INTEGER column's 2^31 limit (a delta is at most 1,000,000).
MAX_STOCK = 1_000_000_000


class StockWouldExceedMaximum(Conflict):
    def __init__(self, available: int, delta: int) -> None:
        super().__init__(
            f"Adjusting stock by {delta} would leave {available + delta}; stock cannot exceed"
            f" {MAX_STOCK}.",
            available=available,
        )


class UnknownProducts(InvalidInput):
    """Items of a reservation naming products that do not exist, by their position."""

    def __init__(self, positions: list[int]) -> None:
        super().__init__(
            "Some items name products that do not exist.",
            [
                {"field": f"items[{position}].product_id", "message": "unknown product"}
                for position in positions
            ],
        )


class OutOfStock(Conflict):
    """Every short line, so a client can fix the whole order in one go."""

    def __init__(self, shortages: list[tuple[UUID, int, int]]) -> None:
        super().__init__(
            "Not enough stock for some items.",
            out_of_stock=[
                {"product_id": str(product_id), "requested": requested, "available": available}
                for product_id, requested, available in shortages
            ],
        )


@dataclass(frozen=True, slots=True)
class NewCategory:
    slug: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    id: UUID
    slug: str
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewProduct:
    sku: str
    name: str
    price: Money
    description: str | None = None
    category_id: UUID | None = None
    stock: int = 0


@dataclass(frozen=True, slots=True)
class Product:
    id: UUID
    sku: str
    name: str
    description: str | None
    price: Money
    category_id: UUID | None
    stock: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProductFilter:
    category_id: UUID | None = None
    min_price: int | None = None
    max_price: int | None = None
    q: str | None = None
    in_stock: bool | None = None
    sort: str = "name"


@dataclass(frozen=True, slots=True)
class StockLine:
    """A request for ``quantity`` units of one product (an order line, before pricing)."""

    product_id: UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A reserved line with the product's facts at reservation time (the order's snapshot)."""

    product_id: UUID
    sku: str
    name: str
    quantity: int
    unit_price: Money
