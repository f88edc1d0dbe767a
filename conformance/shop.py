"""Building blocks for scenarios: categories, products and orders created through the API.

Everything is created with unique data and scheduled for deletion, so scenarios can run
against a shared deployment and leave (almost) nothing behind: orders cannot be deleted
through the API, so they stay, attached to the run's deleted users.
"""

from __future__ import annotations

from typing import Any

import httpx

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect_status, json_object
from refarch.conformance.order_shapes import order_request
from refarch.conformance.testdata import random_sku, random_slug

__all__ = ["create_category", "create_product", "get_product", "order_body", "place_order"]


def create_category(
    api: ApiClient, admin: Actor, cleanup: Cleanup, **fields: Any
) -> dict[str, Any]:
    body = {"slug": random_slug(), "name": "Conformance category", **fields}
    response = api.post("/categories", json=body, headers=admin.headers)
    expect_status(response, 201, why="an admin creates a category with a new slug")
    category = json_object(response)
    cleanup.delete(f"/categories/{category['id']}")
    return category


def create_product(
    api: ApiClient,
    admin: Actor,
    cleanup: Cleanup,
    *,
    stock: int = 10,
    price: int = 1999,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "sku": random_sku(),
        "name": "Conformance widget",
        "price": {"amount": price, "currency": "EUR"},
        "stock": stock,
        **fields,
    }
    response = api.post("/products", json=body, headers=admin.headers)
    expect_status(response, 201, why="an admin creates a product with a new SKU")
    product = json_object(response)
    cleanup.delete(f"/products/{product['id']}")
    return product


def get_product(api: ApiClient, product_id: str) -> dict[str, Any]:
    response = api.get(f"/products/{product_id}")
    expect_status(response, 200, why="an existing product can be read by anyone")
    return json_object(response)


def order_body(*lines: tuple[str, int]) -> dict[str, Any]:
    """A placeOrder body in the run's API version (standard shipping from v2 on)."""
    return order_request(list(lines))


def place_order(
    api: ApiClient, user: Actor, *lines: tuple[str, int], key: str | None = None
) -> httpx.Response:
    headers = dict(user.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.post("/orders", json=order_body(*lines), headers=headers)
