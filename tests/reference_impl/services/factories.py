"""Test data for the service tests: unique per call, so tests never collide."""

from __future__ import annotations

import uuid

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.catalog.domain import NewProduct, Product
from refarch.reference_impl.money import Money
from refarch.reference_impl.principal import Principal


def customer() -> Principal:
    """A caller with a fresh id: orders and notifications only need the id from the token."""
    return Principal(user_id=uuid.uuid4(), role="customer")


def admin() -> Principal:
    return Principal(user_id=uuid.uuid4(), role="admin")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}".upper()


async def new_product(
    services: Services, *, stock: int = 10, price: int = 1999, name: str = "Widget"
) -> Product:
    return await services.catalog.create_product(
        NewProduct(sku=unique("SKU"), name=name, price=Money(price), stock=stock)
    )


def order_body(*lines: tuple[Product, int]) -> dict[str, object]:
    return {
        "items": [
            {"product_id": str(product.id), "quantity": quantity} for product, quantity in lines
        ],
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 Analytical Row",
            "city": "London",
            "postal_code": "N1 9GU",
            "country": "GB",
        },
    }
