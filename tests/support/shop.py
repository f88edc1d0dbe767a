"""HTTP steps of a shop journey that the project's real-server tests share: log in, register,
create a product (asserting each succeeded), and an order body."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

__all__ = ["ADDRESS", "PASSWORD", "create_product", "login", "order_body", "register"]

PASSWORD = "correct horse battery staple"


def login(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def register(client: httpx.Client) -> tuple[str, dict[str, str]]:
    email = f"journey-{uuid.uuid4().hex[:10]}@example.test"
    response = client.post(
        "/auth/register",
        json={"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith(response.json()["id"])
    assert "password_hash" not in response.text
    return response.json()["id"], login(client, email, PASSWORD)


def create_product(
    client: httpx.Client,
    admin: dict[str, str],
    *,
    sku_prefix: str,
    name: str,
    amount: int,
    stock: int = 0,
    category_id: str | None = None,
) -> dict[str, Any]:
    """An admin creates a product with a unique SKU; the test fails here if that is refused."""
    body: dict[str, Any] = {
        "sku": f"{sku_prefix}-{uuid.uuid4().hex[:8].upper()}",
        "name": name,
        "price": {"amount": amount, "currency": "EUR"},
        "stock": stock,
    }
    if category_id is not None:
        body["category_id"] = category_id
    response = client.post("/products", headers=admin, json=body)
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    return product


ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "1 Analytical Row",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
}


def order_body(product_id: str, quantity: int) -> dict[str, Any]:
    return {
        "items": [{"product_id": product_id, "quantity": quantity}],
        "shipping_address": ADDRESS,
    }
