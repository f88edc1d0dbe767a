"""The notifications domain: which event becomes which message. Standard library only."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from refarch.reference_impl.events import Event, MalformedEvent

__all__ = [
    "EVENT_SCHEMAS",
    "TYPES",
    "MalformedEvent",
    "NewNotification",
    "Notification",
    "notification_for",
    "validate_event",
]

TYPES = ("welcome", "order_confirmation", "order_status_changed")
#: Order statuses as the orders spec defines them; this consumer keeps its own copy so it
#: depends on the events' contract, not on the orders service's code.
ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")


@dataclass(frozen=True, slots=True)
class Field:
    """One payload field of an event schema: what it must be, and how to tell."""

    expects: str
    accepts: Callable[[Any], bool]
    required: bool = True


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and UUID(value) is not None
    except ValueError:
        return False


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_money(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    amount, currency = value.get("amount"), value.get("currency")
    return (
        isinstance(amount, int)
        and not isinstance(amount, bool)
        and amount >= 0
        and isinstance(currency, str)
        and re.fullmatch(r"[A-Z]{3}", currency) is not None
    )


_USER_ID = Field("a UUID string", _is_uuid)
_ORDER_ID = Field("a UUID string", _is_uuid)
_STATUS = Field(f"one of {', '.join(ORDER_STATUSES)}", lambda value: value in ORDER_STATUSES)
_EMAIL = Field("an email address", lambda value: _is_text(value) and "@" in value)

#: The payload each handled event type must carry (SEC-013, OWASP API10:2023: data from
#: another service is input like any other). Extra fields are allowed (tolerant reader).
EVENT_SCHEMAS: dict[str, dict[str, Field]] = {
    "user.registered": {
        "user_id": _USER_ID,
        "first_name": Field("a non-empty string", _is_text, required=False),
        # optional until every producer sends it: without it the welcome is in-app only
        "email": Field(_EMAIL.expects, _EMAIL.accepts, required=False),
    },
    "user.updated": {"user_id": _USER_ID, "email": _EMAIL},
    "user.deleted": {"user_id": _USER_ID},
    "order.placed": {
        "order_id": _ORDER_ID,
        "user_id": _USER_ID,
        "item_count": Field("a positive integer", _is_count),
        "total": Field("an object with an integer amount >= 0 and a currency code", _is_money),
    },
    "order.status_changed": {
        "order_id": _ORDER_ID,
        "user_id": _USER_ID,
        "from": _STATUS,
        "status": _STATUS,
    },
    "order.cancelled": {"order_id": _ORDER_ID, "user_id": _USER_ID, "from": _STATUS},
}


def validate_event(event: Event) -> None:
    """Raise MalformedEvent naming every field of ``event`` that breaks its schema.

    Event types without a schema are not checked: this consumer ignores them anyway.
    """
    schema = EVENT_SCHEMAS.get(event.event_type)
    if schema is None:
        return
    payload = event.payload
    if not isinstance(payload, dict):
        raise MalformedEvent(event.event_type, "payload is not a JSON object")
    problems = []
    for name, field in schema.items():
        if name not in payload:
            if field.required:
                problems.append(f"{name} is missing")
        elif not field.accepts(payload[name]):
            problems.append(f"{name} must be {field.expects}")
    if problems:
        raise MalformedEvent(event.event_type, "; ".join(problems))


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

    Unknown event types are ignored rather than failing: producers may add events before
    this consumer learns about them (tolerant reader). A handled event whose payload breaks
    its schema raises MalformedEvent.
    """
    validate_event(event)
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
    if event.event_type == "order.status_changed":
        return NewNotification(
            user_id=UUID(payload["user_id"]),
            type="order_status_changed",
            subject=f"Your order is now {payload['status']}",
            body=f"Your order changed from {payload['from']} to {payload['status']}.",
            data={"order_id": payload["order_id"], "status": payload["status"]},
            event_id=event.id,
        )
    if event.event_type == "order.cancelled":
        # The API's notification types predate order.cancelled: a cancellation is a status
        # change to "cancelled" for the reader (NTF-003), as it always was.
        return NewNotification(
            user_id=UUID(payload["user_id"]),
            type="order_status_changed",
            subject="Your order is now cancelled",
            body=f"Your order changed from {payload['from']} to cancelled.",
            data={"order_id": payload["order_id"], "status": "cancelled"},
            event_id=event.id,
        )
    return None
