"""Stock never passes 1,000,000,000 (the spec's maximum) and no stock arithmetic overflows
into a 500: adjustments past the cap answer 409, and cancelling an order whose product is
full still works."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.server import ServerHandle
from tests.support.shop import create_product

MAX_STOCK = 1_000_000_000
ADDRESS = {"name": "Ada", "line1": "1 Row", "city": "London", "postal_code": "N1", "country": "GB"}


def _sql(server: ServerHandle, statement: str, *args: Any) -> Any:
    async def run() -> Any:
        connection = await asyncpg.connect(server.database_url)
        try:
            return await connection.fetchval(statement, *args)
        finally:
            await connection.close()

    return asyncio.run(run())


def _product(client: httpx.Client, admin: dict[str, str]) -> str:
    product = create_product(client, admin, sku_prefix="CAP", name="Capped", amount=100, stock=10)
    product_id: str = product["id"]
    return product_id


def _set_stock(server: ServerHandle, product_id: str, stock: int) -> None:
    # test set-up only: reaching the cap through the API takes a thousand adjustments
    _sql(
        server, "UPDATE catalog.products SET stock = $2 WHERE id = $1", uuid.UUID(product_id), stock
    )


def _adjust(
    client: httpx.Client, admin: dict[str, str], product_id: str, delta: int
) -> httpx.Response:
    return client.post(
        f"/products/{product_id}/stock-adjustments", json={"delta": delta}, headers=admin
    )


def _stock(client: httpx.Client, product_id: str) -> int:
    stock: int = client.get(f"/products/{product_id}").json()["stock"]
    return stock


def test_an_adjustment_past_the_maximum_is_refused_with_409_and_changes_nothing(
    server: ServerHandle, client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    product_id = _product(client, admin_headers)
    _set_stock(server, product_id, MAX_STOCK - 1)

    refused = _adjust(client, admin_headers, product_id, 2)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "1000000000" in refused.json()["detail"].replace(",", ""), refused.text
    assert _stock(client, product_id) == MAX_STOCK - 1

    exactly = _adjust(client, admin_headers, product_id, 1)
    assert exactly.status_code == 200, exactly.text
    assert exactly.json()["stock"] == MAX_STOCK


def test_the_database_refuses_stock_above_the_maximum(
    server: ServerHandle, client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    product_id = _product(client, admin_headers)
    with pytest.raises(asyncpg.CheckViolationError):
        _set_stock(server, product_id, MAX_STOCK + 1)


def test_cancelling_an_order_for_a_product_at_the_maximum_still_works(
    server: ServerHandle,
    client: httpx.Client,
    admin_headers: dict[str, str],
    register: Callable[..., tuple[str, str, dict[str, str]]],
) -> None:
    product_id = _product(client, admin_headers)
    _, _, customer = register()
    placed = client.post(
        "/orders",
        json={"items": [{"product_id": product_id, "quantity": 5}], "shipping_address": ADDRESS},
        headers={**customer, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text
    _set_stock(server, product_id, MAX_STOCK - 2)  # restocked to nearly full meanwhile

    cancelled = client.post(f"/orders/{placed.json()['id']}/cancel", headers=customer)

    assert cancelled.status_code == 200, cancelled.text
    assert _stock(client, product_id) == MAX_STOCK
