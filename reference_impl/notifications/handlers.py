"""HTTP handlers for the notifications spec (specs/openapi/notifications/v1.yaml)."""

from __future__ import annotations

from typing import Any

from reference_impl.notifications.domain import Notification
from reference_impl.platform.contract import ApiRequest, ApiResponse, operation
from reference_impl.representation import iso, page, page_params

__all__: list[str] = []


def notification_json(notification: Notification) -> dict[str, Any]:
    return {
        "id": str(notification.id),
        "type": notification.type,
        "subject": notification.subject,
        "body": notification.body,
        "data": notification.data,
        "event_id": str(notification.event_id),
        "created_at": iso(notification.created_at),
    }


@operation("listMyNotifications")
async def list_my_notifications(request: ApiRequest) -> ApiResponse:
    me = request.require_principal()
    limit, offset = page_params(request)
    notifications, total = await request.services.notifications.list_for_user(
        me.user_id, type_=request.query.get("type"), limit=limit, offset=offset
    )
    body = page(map(notification_json, notifications), limit=limit, offset=offset, total=total)
    return ApiResponse(200, body)
