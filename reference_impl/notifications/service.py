"""The notifications service: the idempotent event consumer and the user's inbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from refarch.reference_impl.events import Event
from refarch.reference_impl.notifications.domain import Notification, notification_for
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["INBOX_RETENTION", "NotificationsService"]

#: How long applied event ids are remembered: redeliveries come within the broker's ack
#: wait (seconds), so a week leaves room for any outage (ADR 0038).
INBOX_RETENTION = timedelta(days=7)


class NotificationsService:
    def __init__(self, uow: UnitOfWorkFactory[NotificationsUnitOfWork]) -> None:
        self._uow = uow

    async def handle_event(self, uow: UnitOfWork, event: Event) -> bool:
        """Consume one event inside the caller's unit of work; True if it produced a new
        notification."""
        return await self.handle_events(uow, [event]) == 1

    async def handle_events(self, uow: UnitOfWork, events: Sequence[Event]) -> int:
        """Consume a batch inside the consumer's unit of work; returns how many new
        notifications it produced. Delivering an event again changes nothing (at-least-once
        safe): the inbox remembers every event id applied."""
        async with self._uow(within=uow) as work:
            fresh = await work.inbox.first_deliveries([(e.id, e.event_type) for e in events])
            new = [n for e in events if e.id in fresh and (n := notification_for(e)) is not None]
            await work.notifications.add_many(new)
        return len(new)

    async def prune_inbox(self) -> int:
        """Housekeeping: forget event ids applied more than INBOX_RETENTION ago."""
        async with self._uow(autocommit=True) as uow:
            return await uow.inbox.prune_before(datetime.now(UTC) - INBOX_RETENTION)

    async def list_for_user(
        self, user_id: UUID, *, type_: str | None, limit: int, offset: int
    ) -> tuple[list[Notification], int]:
        async with self._uow(autocommit=True) as uow:
            return await uow.notifications.page(user_id, type_=type_, limit=limit, offset=offset)
