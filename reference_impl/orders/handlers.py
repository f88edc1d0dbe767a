"""HTTP handlers for the orders spec (specs/openapi/orders/v1.yaml), bound to the service.

The v2 handlers (handlers_v2.py) derive from these and override only what the wire changes:
the order document, the URL prefix, the shipping choice on placement and the pages.
"""

from __future__ import annotations

from typing import Any

from refarch.reference_impl.orders.domain import Order
from refarch.reference_impl.orders.representation import order_document
from refarch.reference_impl.orders.service import OrdersService
from refarch.reference_impl.orders.shipping import ShippingChoice
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Operations
from refarch.reference_impl.representation import API_PREFIX, page

__all__ = ["OrderHandlers"]


class OrderHandlers:
    #: where this version's orders live, for the Location header
    prefix = API_PREFIX

    def __init__(self, orders: OrdersService) -> None:
        self._orders = orders

    def operations(self) -> Operations:
        return {
            "placeOrder": self.place_order,
            "getOrder": self.get_order,
            "listMyOrders": self.list_my_orders,
            "listAllOrders": self.list_all_orders,
            "cancelOrder": self.cancel_order,
            "transitionOrder": self.transition_order,
        }

    def document(self, order: Order) -> dict[str, Any]:
        """The order as this version's Order schema."""
        return order_document(order)

    def shipping(self, request: ApiRequest) -> ShippingChoice | None:
        """The shipping choice in a placeOrder body (v1 has none)."""
        return None

    async def place_order(self, request: ApiRequest) -> ApiResponse:
        customer = request.require_principal()
        placed = await self._orders.place_order(
            customer,
            request.body,
            request.headers.get("idempotency-key"),
            shipping=self.shipping(request),
            render=self.document,
        )
        headers = {"Location": f"{self.prefix}/orders/{placed.body['id']}"}
        if placed.replayed:
            headers["Idempotent-Replayed"] = "true"
        return ApiResponse(placed.status, placed.body, headers)

    async def get_order(self, request: ApiRequest) -> ApiResponse:
        viewer = request.require_principal()
        order = await self._orders.get_order(viewer, request.path_id("order_id"))
        return ApiResponse(200, self.document(order))

    async def list_my_orders(self, request: ApiRequest) -> ApiResponse:
        me = request.require_principal()
        limit, offset = request.page_params()
        orders, total = await self._orders.list_orders(
            user_id=me.user_id, status=request.query.get("status"), limit=limit, offset=offset
        )
        body = page(map(self.document, orders), limit=limit, offset=offset, total=total)
        return ApiResponse(200, body)

    async def list_all_orders(self, request: ApiRequest) -> ApiResponse:
        request.require_principal()
        limit, offset = request.page_params()
        orders, total = await self._orders.list_orders(
            user_id=request.query_id("user_id"),
            status=request.query.get("status"),
            limit=limit,
            offset=offset,
        )
        body = page(map(self.document, orders), limit=limit, offset=offset, total=total)
        return ApiResponse(200, body)

    async def cancel_order(self, request: ApiRequest) -> ApiResponse:
        actor = request.require_principal()
        order = await self._orders.cancel_order(actor, request.path_id("order_id"))
        return ApiResponse(200, self.document(order))

    async def transition_order(self, request: ApiRequest) -> ApiResponse:
        admin = request.require_principal()
        order = await self._orders.transition_order(
            admin, request.path_id("order_id"), request.body["to"]
        )
        return ApiResponse(200, self.document(order))
