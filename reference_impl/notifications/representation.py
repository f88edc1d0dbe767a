"""The notifications spec's JSON shapes, built from the domain. Standard library only."""

from __future__ import annotations

from typing import Any

from refarch.reference_impl.notifications.domain import Notification
from refarch.reference_impl.representation import iso

__all__ = ["notification_json"]


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
