"""The notifications service: the idempotent event consumer and the user's inbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from refarch.reference_impl.events import Event
from refarch.reference_impl.notifications.domain import Notification, notification_for
from refarch.reference_impl.notifications.mail import message_id_domain
from refarch.reference_impl.notifications.recipients import recipient_change_for
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["INBOX_RETENTION", "NotificationsService"]

#: How long applied event ids are remembered: redeliveries come within the broker's ack
#: wait (seconds), so a week leaves room for any outage (ADR 0038).
INBOX_RETENTION = timedelta(days=7)


class NotificationsService:
    def __init__(
        self,
        uow: UnitOfWorkFactory[NotificationsUnitOfWork],
        *,
        mail_from: str = "refarch <no-reply@refarch.localhost>",
    ) -> None:
        self._uow = uow
        self._mail_from = mail_from

    async def handle_event(self, uow: UnitOfWork, event: Event) -> bool:
        """Consume one event inside the caller's unit of work; True if it produced a new
        notification."""
        return await self.handle_events(uow, [event]) == 1

    async def handle_events(self, uow: UnitOfWork, events: Sequence[Event]) -> int:
        """Consume a batch inside the consumer's unit of work; returns how many new
        notifications it produced. Delivering an event again changes nothing (at-least-once
        safe): the inbox remembers every event id applied.

        User events keep the recipients' addresses current (in the batch's order, before
        the notifications); each new notification is queued for email delivery in the same
        transaction, so it is mailed exactly when it exists (ADR 0041).
        """
        async with self._uow(within=uow) as work:
            fresh = await work.inbox.first_deliveries([(e.id, e.event_type) for e in events])
            applied = [e for e in events if e.id in fresh]
            for event in applied:
                change = recipient_change_for(event)
                if change is not None:
                    await work.recipients.apply(change)
                    if change.deleted:
                        await work.deliveries.cancel_pending_for(change.user_id)
            new = [n for e in applied if (n := notification_for(e)) is not None]
            await work.notifications.add_many(new)
            await work.deliveries.enqueue_for_events(
                [n.event_id for n in new], message_id_domain(self._mail_from)
            )
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

    async def delivery_counts(self) -> dict[str, int]:
        """Email deliveries by state (pending, delivered, dead_letter, cancelled)."""
        async with self._uow(autocommit=True) as uow:
            return await uow.deliveries.count_by_state()
