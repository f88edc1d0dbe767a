"""Domain events: facts one service publishes for others, travelling through an outbox.

This module is the one list of the event types the reference implementation can emit
(``EVENT_TYPES``): the AsyncAPI document declares the same set, and the spec checks read
this list to prove it. Their payload schemas live only in the AsyncAPI document.

The event id is fixed when the event is created and stays the same on every delivery, so
consumers de-duplicate by it (delivery is at least once). The sequence per aggregate and
the request id are added when the event is written to the outbox, in the transaction of
the change (see unit_of_work). Standard library only.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

__all__ = [
    "EVENT_TYPES",
    "Event",
    "EventType",
    "MalformedEvent",
    "current_request_id",
    "envelope_of",
    "event_from_envelope",
]

#: The X-Request-ID of the API call being handled (set by the gateway); None in
#: background jobs such as order expiry. Events record it for tracing.
current_request_id: ContextVar[str | None] = ContextVar("refarch_request_id", default=None)


@dataclass(frozen=True, slots=True)
class EventType:
    """One event type: who produces it, about which kind of aggregate, which schema version."""

    name: str
    producer: str  # the service, and the schema whose outbox holds its events
    aggregate_type: str
    schema_version: int = 1


EVENT_TYPES: dict[str, EventType] = {
    kind.name: kind
    for kind in (
        EventType("user.registered", "users", "user"),
        EventType("user.updated", "users", "user"),
        EventType("user.deleted", "users", "user"),
        EventType("product.created", "catalog", "product"),
        EventType("product.updated", "catalog", "product"),
        EventType("product.stock_changed", "catalog", "product"),
        EventType("order.placed", "orders", "order"),
        EventType("order.cancelled", "orders", "order"),
        EventType("order.status_changed", "orders", "order"),
    )
}


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str  # one of EVENT_TYPES
    aggregate_type: str  # "user", "product", "order"
    aggregate_id: UUID
    payload: dict[str, Any]
    id: UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Set when the event is written to the outbox; 0 before.
    sequence: int = 0
    request_id: str | None = None
    producer: str = ""

    def stamped(self, *, sequence: int, request_id: str | None, producer: str) -> Event:
        return replace(self, sequence=sequence, request_id=request_id, producer=producer)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def envelope_of(event: Event) -> dict[str, Any]:
    """The message body every consumer receives (the AsyncAPI envelope)."""
    kind = EVENT_TYPES.get(event.event_type)
    return {
        "id": str(event.id),
        "type": event.event_type,
        "schema_version": kind.schema_version if kind else 1,
        "occurred_at": _rfc3339(event.occurred_at),
        "producer": event.producer,
        "aggregate_type": event.aggregate_type,
        "aggregate_id": str(event.aggregate_id),
        "sequence": event.sequence,
        "request_id": event.request_id,
        "data": event.payload,
    }


def event_from_envelope(envelope: dict[str, Any]) -> Event:
    """The event an envelope carries; the envelope must have been validated (KeyError,
    ValueError otherwise)."""
    return Event(
        event_type=envelope["type"],
        aggregate_type=envelope["aggregate_type"],
        aggregate_id=UUID(envelope["aggregate_id"]),
        payload=envelope["data"],
        id=UUID(envelope["id"]),
        occurred_at=datetime.fromisoformat(envelope["occurred_at"]),
        sequence=int(envelope["sequence"]),
        request_id=envelope["request_id"],
        producer=envelope["producer"],
    )


class MalformedEvent(ValueError):
    """An event whose envelope or payload does not match its schema (SEC-013).

    Redelivering it cannot help, so it is set aside at once instead of retried.
    """

    def __init__(self, event_type: str, reason: str) -> None:
        super().__init__(f"{event_type}: {reason}")
        self.event_type = event_type
        self.reason = reason
