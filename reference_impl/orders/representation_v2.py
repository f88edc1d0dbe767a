"""The orders v2 spec's JSON shapes (specs/openapi/orders/v2.yaml), built from the domain.

The same Order as v1's representation, shown the v2 way: ``shipping`` (method, address,
cost) instead of ``shipping_address``, and ``totals`` (subtotal, shipping, total) instead
of ``total``. An order placed through either version renders through either. Standard
library only.
"""

from __future__ import annotations

from typing import Any

from refarch.reference_impl.orders.domain import Order
from refarch.reference_impl.orders.representation import order_document
from refarch.reference_impl.orders.shipping import METHODS

__all__ = ["order_document_v2", "shipping_methods_document"]


def order_document_v2(order: Order) -> dict[str, Any]:
    """The order as the v2 spec's Order schema."""
    document = order_document(order)
    del document["total"], document["shipping_address"]
    document["totals"] = {
        "subtotal": order.total.as_json(),
        "shipping": order.shipping_cost.as_json(),
        "total": order.amount_due.as_json(),
    }
    document["shipping"] = {
        "method": order.shipping_method,
        "address": order.shipping_address,
        "cost": order.shipping_cost.as_json(),
    }
    return document


def shipping_methods_document() -> dict[str, Any]:
    return {
        "items": [
            {"method": m.name, "cost": m.cost.as_json(), "delivery_days": m.delivery_days}
            for m in METHODS.values()
        ]
    }
