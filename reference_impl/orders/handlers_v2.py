"""HTTP handlers for the orders v2 spec (specs/openapi/orders/v2.yaml), bound to the service.

The behaviour is v1's (one OrdersService behind both versions); what differs is the wire:
a shipping choice on placeOrder, the v2 Order shape, and keyset (cursor) pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from refarch.reference_impl.cursor import decode_cursor, encode_cursor
from refarch.reference_impl.orders.domain import Order
from refarch.reference_impl.orders.handlers import OrderHandlers
from refarch.reference_impl.orders.representation_v2 import (
    order_document_v2,
    shipping_methods_document,
)
from refarch.reference_impl.orders.shipping import ShippingChoice
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Operations

__all__ = ["API_V2_PREFIX", "OrderHandlersV2"]

API_V2_PREFIX = "/api/v2"


class OrderHandlersV2(OrderHandlers):
    """v1's handlers with v2's wire: the v2 Order, a shipping choice, cursor pages."""

    prefix = API_V2_PREFIX

    def operations(self) -> Operations:
        return {**super().operations(), "listShippingMethods": self.list_shipping_methods}

    def document(self, order: Order) -> dict[str, Any]:
        return order_document_v2(order)

    def shipping(self, request: ApiRequest) -> ShippingChoice:
        shipping = request.body["shipping"]
        return ShippingChoice(shipping["method"], shipping["address"])

    async def list_my_orders(self, request: ApiRequest) -> ApiResponse:
        me = request.require_principal()
        return await self._page(request, "/orders", user_id=me.user_id)

    async def list_all_orders(self, request: ApiRequest) -> ApiResponse:
        request.require_principal()
        return await self._page(request, "/admin/orders", user_id=request.query_id("user_id"))

    async def list_shipping_methods(self, request: ApiRequest) -> ApiResponse:
        return ApiResponse(200, shipping_methods_document())

    async def _page(self, request: ApiRequest, path: str, *, user_id: Any) -> ApiResponse:
        limit = int(request.query.get("limit", 20))
        cursor = request.query.get("cursor")
        orders, more = await self._orders.list_orders_after(
            user_id=user_id,
            status=request.query.get("status"),
            limit=limit,
            after=None if cursor is None else decode_cursor(str(cursor)),
        )
        next_cursor = _cursor_after(orders[-1]) if more and orders else None
        body = {
            "items": [self.document(order) for order in orders],
            "page": {"limit": limit, "next_cursor": next_cursor},
        }
        headers = {}
        if next_cursor is not None:
            # the same filters and limit, one page on: what a client following rel=next needs
            query = {k: str(v) for k, v in request.query.items() if k != "cursor"}
            query.update(limit=str(limit), cursor=next_cursor)
            headers["Link"] = (
                f'<{API_V2_PREFIX}{path}?{urlencode(sorted(query.items()))}>; rel="next"'
            )
        return ApiResponse(200, body, headers)


def _cursor_after(order: Order) -> str:
    return encode_cursor(order.created_at, order.id)
