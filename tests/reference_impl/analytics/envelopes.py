"""Contract-shaped event envelopes (specs/asyncapi/v1.yaml) for the analytics tests.

``Shop`` hands out envelopes the way the platform would publish them: one id per event,
a sequence per aggregate starting at 1, occurred_at as given. Tests reorder, repeat and
batch them to prove the store's figures do not depend on delivery.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Shop", "money"]

PRODUCERS = {"user": "users", "product": "catalog", "order": "orders"}


def money(amount: int, currency: str = "EUR") -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Shop:
    sequences: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    prices: dict[str, int] = field(default_factory=dict)
    stock: dict[str, int] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)

    def envelope(
        self, kind: str, aggregate_id: str, at: datetime, data: dict[str, Any]
    ) -> dict[str, Any]:
        aggregate_type = kind.split(".")[0]
        self.sequences[aggregate_id] += 1
        return {
            "id": str(uuid.uuid4()),
            "type": kind,
            "schema_version": 1,
            "occurred_at": _rfc3339(at),
            "producer": PRODUCERS[aggregate_type],
            "aggregate_type": aggregate_type,
            "aggregate_id": aggregate_id,
            "sequence": self.sequences[aggregate_id],
            "request_id": "req-" + uuid.uuid4().hex[:12],
            "data": data,
        }

    def register(self, at: datetime, *, role: str = "customer") -> tuple[str, dict[str, Any]]:
        user_id = str(uuid.uuid4())
        return user_id, self.envelope(
            "user.registered",
            user_id,
            at,
            {
                "user_id": user_id,
                "email": f"{user_id[:8]}@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "role": role,
                "status": "active",
            },
        )

    def create_product(
        self, at: datetime, *, price: int, stock: int, category: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        product_id = str(uuid.uuid4())
        self.prices[product_id], self.stock[product_id] = price, stock
        return product_id, self.envelope(
            "product.created",
            product_id,
            at,
            {
                "product_id": product_id,
                "sku": "SKU-" + product_id[:8].upper(),
                "name": "Product " + product_id[:4],
                "category": category,
                "price": money(price),
                "stock": stock,
            },
        )

    def reprice(
        self, product_id: str, at: datetime, price: int, *, category: str | None = None
    ) -> dict[str, Any]:
        self.prices[product_id] = price
        return self.envelope(
            "product.updated",
            product_id,
            at,
            {
                "product_id": product_id,
                "name": "Product " + product_id[:4],
                "category": category,
                "price": money(price),
                "changed": ["price"],
            },
        )

    def stock_change(
        self, product_id: str, at: datetime, delta: int, reason: str, order_id: str | None
    ) -> dict[str, Any]:
        self.stock[product_id] += delta
        return self.envelope(
            "product.stock_changed",
            product_id,
            at,
            {
                "product_id": product_id,
                "stock": self.stock[product_id],
                "delta": delta,
                "reason": reason,
                "order_id": order_id,
            },
        )

    def place(
        self, user_id: str, at: datetime, lines: dict[str, int]
    ) -> tuple[str, list[dict[str, Any]]]:
        """order.placed and one product.stock_changed per line."""
        order_id = str(uuid.uuid4())
        items = [
            {"product_id": pid, "quantity": qty, "unit_price": money(self.prices[pid])}
            for pid, qty in lines.items()
        ]
        total = sum(self.prices[pid] * qty for pid, qty in lines.items())
        self.orders[order_id] = {"user_id": user_id, "items": items, "total": total}
        placed = self.envelope(
            "order.placed",
            order_id,
            at,
            {
                "order_id": order_id,
                "user_id": user_id,
                "status": "pending",
                "items": items,
                "item_count": sum(lines.values()),
                "total": money(total),
                "placed_at": _rfc3339(at),
            },
        )
        stock = [
            self.stock_change(pid, at, -qty, "order_placed", order_id) for pid, qty in lines.items()
        ]
        return order_id, [placed, *stock]

    def transition(self, order_id: str, at: datetime, old: str, new: str) -> dict[str, Any]:
        order = self.orders[order_id]
        return self.envelope(
            "order.status_changed",
            order_id,
            at,
            {"order_id": order_id, "user_id": order["user_id"], "from": old, "status": new},
        )

    def cancel(
        self, order_id: str, at: datetime, old: str, reason: str = "customer"
    ) -> list[dict[str, Any]]:
        order = self.orders[order_id]
        cancelled = self.envelope(
            "order.cancelled",
            order_id,
            at,
            {
                "order_id": order_id,
                "user_id": order["user_id"],
                "from": old,
                "reason": reason,
                "total": money(order["total"]),
                "items": order["items"],
            },
        )
        returned = [
            self.stock_change(item["product_id"], at, item["quantity"], "order_cancelled", order_id)
            for item in order["items"]
        ]
        return [cancelled, *returned]
