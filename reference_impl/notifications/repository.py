"""SQL for the notifications schema. Nothing else touches it."""

from __future__ import annotations

from uuid import UUID

from reference_impl.notifications.domain import NewNotification, Notification
from reference_impl.unit_of_work import Executor

__all__ = ["NotificationRepository"]

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

    async def page(
        self, user_id: UUID, *, type_: str | None, limit: int, offset: int
    ) -> tuple[list[Notification], int]:
        args: list[object] = [user_id]
        where = "WHERE user_id = $1"
        if type_ is not None:
            args.append(type_)
            where += " AND type = $2"
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS}, count(*) OVER () AS total FROM notifications.notifications"
            f" {where} ORDER BY created_at DESC, id DESC"
            f" LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
            *args,
            limit,
            offset,
        )
        if rows:
            total = rows[0]["total"]
        else:  # past the last page the window count is unavailable
            total = await self._db.fetchval(
                f"SELECT count(*) FROM notifications.notifications {where}", *args
            )
        return [
            Notification(**{key: row[key] for key in Notification.__slots__}) for row in rows
        ], total
