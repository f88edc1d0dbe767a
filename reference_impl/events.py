"""Domain events: facts one service publishes for others, travelling through an outbox.

The event id is fixed when the event is created and stays the same on every delivery, so
consumers de-duplicate by it (delivery is at least once). Standard library only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

__all__ = ["Event", "MalformedEvent"]


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str  # "user.registered", "order.placed", "order.status_changed"
    aggregate_type: str  # "user", "order"
    aggregate_id: UUID
    payload: dict[str, Any]
    id: UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class MalformedEvent(ValueError):
    """An event whose payload does not match its type's schema (SEC-013).

    Redelivering it cannot help, so the relay sets it aside at once instead of retrying.
    """

    def __init__(self, event_type: str, reason: str) -> None:
        super().__init__(f"{event_type}: {reason}")
        self.event_type = event_type
        self.reason = reason
