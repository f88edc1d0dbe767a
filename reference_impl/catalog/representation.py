"""The catalog spec's JSON shapes, built from the domain. Standard library only."""

from __future__ import annotations

from typing import Any

from refarch.reference_impl.catalog.domain import Category, Product
from refarch.reference_impl.representation import iso

__all__ = ["category_json", "product_json"]


def category_json(category: Category) -> dict[str, Any]:
    return {
        "id": str(category.id),
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "created_at": iso(category.created_at),
        "updated_at": iso(category.updated_at),
    }


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": str(product.id),
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": product.price.as_json(),
        "category_id": None if product.category_id is None else str(product.category_id),
        "stock": product.stock,
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
    }
