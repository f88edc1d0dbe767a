"""The orders spec's JSON shapes, built from the domain: what clients see.

The one place an Order becomes JSON: the handlers answer with it, and the service records it
as the response an idempotent replay returns. Standard library only.
"""

from __future__ import annotations

from typing import Any

from refarch.reference_impl.orders.domain import Order
from refarch.reference_impl.representation import iso

__all__ = ["order_document"]


def order_document(order: Order) -> dict[str, Any]:
    """The order as the spec's Order schema."""
    return {
        "id": str(order.id),
        "user_id": str(order.user_id),
        "status": order.status,
        "items": [
            {
                "product_id": str(line.product_id),
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price.as_json(),
                "line_total": line.line_total.as_json(),
            }
            for line in order.lines
        ],
        "total": order.total.as_json(),
        "shipping_address": order.shipping_address,
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
    }
