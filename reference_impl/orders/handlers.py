"""HTTP handlers for the orders spec (specs/openapi/orders/v1.yaml)."""

from __future__ import annotations

from reference_impl.orders.domain import order_document
from reference_impl.platform.contract import ApiRequest, ApiResponse, operation
from reference_impl.representation import API_PREFIX, page, page_params, path_id, query_id

__all__: list[str] = []


@operation("placeOrder")
async def place_order(request: ApiRequest) -> ApiResponse:
    customer = request.require_principal()
    placed = await request.services.orders.place_order(
        customer, request.body, request.headers.get("idempotency-key")
    )
    headers = {"Location": f"{API_PREFIX}/orders/{placed.body['id']}"}
    if placed.replayed:
        headers["Idempotent-Replayed"] = "true"
    return ApiResponse(placed.status, placed.body, headers)


@operation("getOrder")
async def get_order(request: ApiRequest) -> ApiResponse:
    viewer = request.require_principal()
    order = await request.services.orders.get_order(viewer, path_id(request, "order_id"))
    return ApiResponse(200, order_document(order))


@operation("listMyOrders")
async def list_my_orders(request: ApiRequest) -> ApiResponse:
    me = request.require_principal()
    limit, offset = page_params(request)
    orders, total = await request.services.orders.list_orders(
        user_id=me.user_id, status=request.query.get("status"), limit=limit, offset=offset
    )
    body = page(map(order_document, orders), limit=limit, offset=offset, total=total)
    return ApiResponse(200, body)


@operation("listAllOrders")
async def list_all_orders(request: ApiRequest) -> ApiResponse:
    request.require_principal()
    limit, offset = page_params(request)
    orders, total = await request.services.orders.list_orders(
        user_id=query_id(request, "user_id"),
        status=request.query.get("status"),
        limit=limit,
        offset=offset,
    )
    body = page(map(order_document, orders), limit=limit, offset=offset, total=total)
    return ApiResponse(200, body)


@operation("cancelOrder")
async def cancel_order(request: ApiRequest) -> ApiResponse:
    actor = request.require_principal()
    order = await request.services.orders.cancel_order(actor, path_id(request, "order_id"))
    return ApiResponse(200, order_document(order))


@operation("transitionOrder")
async def transition_order(request: ApiRequest) -> ApiResponse:
    admin = request.require_principal()
    order = await request.services.orders.transition_order(
        admin, path_id(request, "order_id"), request.body["to"]
    )
    return ApiResponse(200, order_document(order))
