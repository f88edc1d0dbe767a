"""The notifications domain: which event becomes which message. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from refarch.reference_impl.events import Event

__all__ = ["TYPES", "NewNotification", "Notification", "notification_for"]

TYPES = ("welcome", "order_confirmation", "order_status_changed")


@dataclass(frozen=True, slots=True)
class NewNotification:
    user_id: UUID
    type: str
    subject: str
    body: str
    data: dict[str, Any]
    event_id: UUID


@dataclass(frozen=True, slots=True)
class Notification:
    id: UUID
    type: str
    subject: str
    body: str
    data: dict[str, Any]
    event_id: UUID
    created_at: datetime


def _money(total: dict[str, Any]) -> str:
    amount, currency = int(total["amount"]), total["currency"]
    return f"{amount // 100}.{amount % 100:02d} {currency}"


def notification_for(event: Event) -> NewNotification | None:
    """The message an event produces, or None for events this service does not handle.

    Event types it has no message for are ignored. The consumer has checked the event
    against its AsyncAPI schema before (event_schemas), so the fields read here are there.
    """
    payload = event.payload
    if event.event_type == "user.registered":
        return NewNotification(
            user_id=UUID(payload["user_id"]),
            type="welcome",
            subject="Welcome to refarch",
            body=f"Hello {payload.get('first_name', 'there')}, your account is ready.",
            data={},
            event_id=event.id,
        )
    if event.event_type == "order.placed":
        return NewNotification(
            user_id=UUID(payload["user_id"]),
            type="order_confirmation",
            subject="We received your order",
            body=(
                f"Your order of {payload['item_count']} item(s) totalling "
                f"{_money(payload['total'])} is confirmed."
            ),
            data={"order_id": payload["order_id"], "status": "pending"},
            event_id=event.id,
        )
    if event.event_type == "order.cancelled":
        return NewNotification(
            user_id=UUID(payload["user_id"]),
            type="order_status_changed",
            subject="Your order is now cancelled",
            body=f"Your order changed from {payload['from']} to cancelled.",
            data={"order_id": payload["order_id"], "status": "cancelled"},
            event_id=event.id,
        )
    if event.event_type == "order.status_changed":
        return NewNotification(
            user_id=UUID(payload["user_id"]),
            type="order_status_changed",
            subject=f"Your order is now {payload['status']}",
            body=f"Your order changed from {payload['from']} to {payload['status']}.",
            data={"order_id": payload["order_id"], "status": payload["status"]},
            event_id=event.id,
        )
    return None
