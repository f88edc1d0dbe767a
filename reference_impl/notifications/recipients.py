"""Whom to mail: the notifications service's own copy of each user's address.

User events keep the copy current (registered → known, updated → new address, deleted →
forgotten), so the service never reads the users schema. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from refarch.reference_impl.events import Event

__all__ = ["Recipient", "RecipientChange", "recipient_change_for"]


@dataclass(frozen=True, slots=True)
class RecipientChange:
    """What one user event says about a recipient.

    ``email`` None with ``deleted`` False means "no address in this event" (a payload
    from before the contract carried one): the known address, if any, is kept.
    """

    user_id: UUID
    email: str | None
    first_name: str | None
    deleted: bool
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: UUID
    email: str
    first_name: str | None


def recipient_change_for(event: Event) -> RecipientChange | None:
    """The change a user event makes to its recipient, or None for other events.

    The consumer has checked the payload against the AsyncAPI schema already.
    """
    if event.event_type not in {"user.registered", "user.updated", "user.deleted"}:
        return None
    payload = event.payload
    deleted = event.event_type == "user.deleted"
    return RecipientChange(
        user_id=UUID(payload["user_id"]),
        email=None if deleted else payload.get("email"),
        first_name=payload.get("first_name"),
        deleted=deleted,
        occurred_at=event.occurred_at,
    )
