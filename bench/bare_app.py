"""The baseline: the same two operations as bare ASGI + asyncpg, nothing else.

No routing table, validation, auth, problem mapping, metrics or logs: only the query, the
transaction and the JSON encoding the reference implementation also does. The benchmark's
ratios say what the platform's spec-driven machinery costs on top of this floor.

    DATABASE_URL=... uvicorn bench.bare_app:app
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

_PRODUCT = (
    "SELECT id, sku, name, description, price_amount, currency, category_id, stock,"
    " created_at, updated_at FROM catalog.products WHERE id = $1"
)
_RESERVE = (
    "UPDATE catalog.products SET stock = stock - $2, updated_at = now()"
    " WHERE id = $1 AND stock >= $2 RETURNING sku, name, price_amount, currency"
)
_INSERT_ORDER = (
    "INSERT INTO orders.orders (id, user_id, status, total_amount, currency, shipping_address,"
    " created_at, updated_at) VALUES ($1, $2, 'pending', $3, $4, $5, $6, $6)"
)
_INSERT_ITEM = (
    "INSERT INTO orders.order_items (order_id, line_no, product_id, sku, name, quantity,"
    " unit_amount, line_amount) VALUES ($1, 1, $2, $3, $4, $5, $6, $7)"
)
_INSERT_EVENT = (
    "INSERT INTO orders.outbox (id, aggregate_type, aggregate_id, event_type, payload)"
    " VALUES ($1, 'order', $2, 'order.placed', $3)"
)
_CUSTOMER = uuid.UUID("00000000-0000-4000-8000-000000000001")
_JSON = [(b"content-type", b"application/json")]

pool: asyncpg.Pool | None = None


async def _init(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: orjson.dumps(value).decode(),
        decoder=orjson.loads,
    )


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency.strip()}


async def _respond(send: Any, status: int, body: Any) -> None:
    payload = orjson.dumps(body)
    headers = [*_JSON, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _get_product(product_id: str, send: Any) -> None:
    assert pool is not None
    row = await pool.fetchrow(_PRODUCT, uuid.UUID(product_id))
    if row is None:
        await _respond(send, 404, {"status": 404})
        return
    await _respond(
        send,
        200,
        {
            # asyncpg's own UUID type is not one orjson encodes natively
            "id": str(row["id"]),
            "sku": row["sku"],
            "name": row["name"],
            "description": row["description"],
            "price": _money(row["price_amount"], row["currency"]),
            "category_id": str(row["category_id"]) if row["category_id"] else None,
            "stock": row["stock"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        },
    )


async def _place_order(receive: Any, send: Any) -> None:
    assert pool is not None
    raw = b""
    while True:
        message = await receive()
        raw += message.get("body", b"")
        if not message.get("more_body"):
            break
    body = orjson.loads(raw)
    item = body["items"][0]
    product_id, quantity = uuid.UUID(item["product_id"]), item["quantity"]
    order_id, now = uuid.uuid4(), datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        product = await conn.fetchrow(_RESERVE, product_id, quantity)
        if product is None:
            await _respond(send, 409, {"status": 409})
            return
        unit = product["price_amount"]
        await conn.execute(
            _INSERT_ORDER,
            order_id,
            _CUSTOMER,
            unit * quantity,
            product["currency"],
            body["shipping_address"],
            now,
        )
        await conn.execute(
            _INSERT_ITEM,
            order_id,
            product_id,
            product["sku"],
            product["name"],
            quantity,
            unit,
            unit * quantity,
        )
        await conn.execute(
            _INSERT_EVENT,
            uuid.uuid4(),
            order_id,
            {"order_id": str(order_id), "user_id": str(_CUSTOMER)},
        )
    money = _money(unit * quantity, product["currency"])
    await _respond(
        send,
        201,
        {
            "id": order_id,
            "user_id": _CUSTOMER,
            "status": "pending",
            "items": [
                {
                    "product_id": product_id,
                    "sku": product["sku"],
                    "name": product["name"],
                    "quantity": quantity,
                    "unit_price": _money(unit, product["currency"]),
                    "line_total": money,
                }
            ],
            "total": money,
            "shipping_address": body["shipping_address"],
            "created_at": now,
            "updated_at": now,
        },
    )


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool = await asyncpg.create_pool(
                    os.environ["DATABASE_URL"], min_size=2, max_size=10, init=_init
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if pool is not None:
                    await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    path: str = scope["path"]
    if scope["method"] == "GET" and path.startswith("/api/v1/products/"):
        await _get_product(path.rsplit("/", 1)[1], send)
    elif scope["method"] == "POST" and path == "/api/v1/orders":
        await _place_order(receive, send)
    elif path == "/api/v1/ready":
        await _respond(send, 200, {"status": "ready"})
    else:
        await _respond(send, 404, {"status": 404})
