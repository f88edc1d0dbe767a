"""HTTP handlers for the notifications spec (specs/openapi/notifications/v1.yaml)."""

from __future__ import annotations

from refarch.reference_impl.notifications.representation import notification_json
from refarch.reference_impl.notifications.service import NotificationsService
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Operations
from refarch.reference_impl.representation import page

__all__ = ["NotificationHandlers"]


class NotificationHandlers:
    def __init__(self, notifications: NotificationsService) -> None:
        self._notifications = notifications

    def operations(self) -> Operations:
        return {"listMyNotifications": self.list_my_notifications}

    async def list_my_notifications(self, request: ApiRequest) -> ApiResponse:
        me = request.require_principal()
        limit, offset = request.page_params()
        notifications, total = await self._notifications.list_for_user(
            me.user_id, type_=request.query.get("type"), limit=limit, offset=offset
        )
        body = page(map(notification_json, notifications), limit=limit, offset=offset, total=total)
        return ApiResponse(200, body)
