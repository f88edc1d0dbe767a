"""The notifications service: the idempotent event consumer and the user's inbox."""

from __future__ import annotations

from uuid import UUID

from refarch.reference_impl.events import Event
from refarch.reference_impl.notifications.domain import Notification, notification_for
from refarch.reference_impl.notifications.mail import message_id_for
from refarch.reference_impl.notifications.recipients import recipient_change_for
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["NotificationsService"]


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
        """Consume one event inside the consumer's unit of work; True if it produced a new
        notification. Delivering the same event again changes nothing (at-least-once safe):
        the inbox remembers every event id applied.

        User events keep the recipients' addresses current; a new notification is queued
        for email delivery in the same transaction, so it is mailed exactly when it exists.
        """
        change = recipient_change_for(event)
        new = notification_for(event)
        async with self._uow(within=uow) as work:
            if not await work.inbox.first_delivery(event.id, event.event_type):
                return False
            if change is not None:
                await work.recipients.apply(change)
                if change.deleted:
                    await work.deliveries.cancel_pending_for(change.user_id)
            if new is None:
                return False
            notification_id = await work.notifications.add_once(new)
            if notification_id is None:
                return False
            message_id = message_id_for(notification_id, self._mail_from)
            await work.deliveries.enqueue(notification_id, new.user_id, message_id)
            return True

    async def list_for_user(
        self, user_id: UUID, *, type_: str | None, limit: int, offset: int
    ) -> tuple[list[Notification], int]:
        async with self._uow(autocommit=True) as uow:
            return await uow.notifications.page(user_id, type_=type_, limit=limit, offset=offset)

    async def delivery_counts(self) -> dict[str, int]:
        """Email deliveries by state (pending, delivered, dead_letter, cancelled)."""
        async with self._uow(autocommit=True) as uow:
            return await uow.deliveries.count_by_state()
