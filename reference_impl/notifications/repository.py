"""SQL for the notifications schema. Nothing else touches it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from refarch.reference_impl.notifications.domain import NewNotification, Notification
from refarch.reference_impl.statements import Filters, fetch_page
from refarch.reference_impl.unit_of_work import Executor, UnitOfWork

__all__ = ["InboxRepository", "NotificationRepository", "NotificationsUnitOfWork"]

_COLUMNS = "id, type, subject, body, data, event_id, created_at"


class NotificationRepository:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add_once(self, new: NewNotification) -> bool:
        """Insert unless this event already produced a notification; True if inserted.

        The UNIQUE(event_id) constraint makes redelivery harmless even when two relays
        race on the same event: one insert wins, the other does nothing.
        """
        inserted = await self._db.fetchval(
            "INSERT INTO notifications.notifications"
            " (user_id, type, subject, body, data, event_id) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (event_id) DO NOTHING RETURNING true",
            new.user_id,
            new.type,
            new.subject,
            new.body,
            new.data,
            new.event_id,
        )
        return bool(inserted)

    async def add_many(self, new: list[NewNotification]) -> None:
        """Insert each unless its event already produced one (see add_once), in one round trip."""
        if new:
            await self._db.executemany(
                "INSERT INTO notifications.notifications"
                " (user_id, type, subject, body, data, event_id) VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (event_id) DO NOTHING",
                [(n.user_id, n.type, n.subject, n.body, n.data, n.event_id) for n in new],
            )

    async def page(
        self, user_id: UUID, *, type_: str | None, limit: int, offset: int
    ) -> tuple[list[Notification], int]:
        filters = Filters()
        filters.add("user_id = {}", user_id)
        filters.add_when("type = {}", type_)
        rows, total = await fetch_page(
            self._db,
            columns=_COLUMNS,
            table="notifications.notifications",
            filters=filters,
            order_by="created_at DESC, id DESC",
            limit=limit,
            offset=offset,
        )
        return [
            Notification(**{key: row[key] for key in Notification.__slots__}) for row in rows
        ], total


class InboxRepository:
    """The event ids this consumer has applied (specs/sql/notifications V002)."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def first_deliveries(self, events: list[tuple[UUID, str]]) -> set[UUID]:
        """Record the event ids (id, type); returns those not recorded before (the rest are
        redeliveries). One statement for a whole batch."""
        rows = await self._db.fetch(
            "INSERT INTO notifications.inbox (event_id, event_type)"
            " SELECT * FROM unnest($1::uuid[], $2::text[])"
            " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            [event_id for event_id, _ in events],
            [event_type for _, event_type in events],
        )
        return {row["event_id"] for row in rows}

    async def prune_before(self, cutoff: datetime) -> int:
        status = await self._db.execute(
            "DELETE FROM notifications.inbox WHERE received_at < $1", cutoff
        )
        return int(status.rsplit(" ", 1)[-1])  # "DELETE <count>"


class NotificationsUnitOfWork(UnitOfWork):
    """The notifications schema's repositories, working in one unit of work."""

    notifications: NotificationRepository
    inbox: InboxRepository

    def _open_repositories(self, db: Executor) -> None:
        self.notifications = NotificationRepository(db)
        self.inbox = InboxRepository(db)
