"""SQL for the notifications schema. Nothing else touches it."""

from __future__ import annotations

import datetime
from uuid import UUID

from refarch.reference_impl.notifications.domain import NewNotification, Notification
from refarch.reference_impl.notifications.mail import OutgoingMail
from refarch.reference_impl.notifications.recipients import RecipientChange
from refarch.reference_impl.statements import Filters, fetch_page
from refarch.reference_impl.unit_of_work import Executor, UnitOfWork

__all__ = [
    "DeliveryRepository",
    "InboxRepository",
    "NotificationRepository",
    "NotificationsUnitOfWork",
    "RecipientRepository",
]

_COLUMNS = "id, type, subject, body, data, event_id, created_at"


class NotificationRepository:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add_once(self, new: NewNotification) -> UUID | None:
        """Insert unless this event already produced a notification; the new id, or None.

        The UNIQUE(event_id) constraint makes redelivery harmless even when two relays
        race on the same event: one insert wins, the other does nothing.
        """
        inserted: UUID | None = await self._db.fetchval(
            "INSERT INTO notifications.notifications"
            " (user_id, type, subject, body, data, event_id) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (event_id) DO NOTHING RETURNING id",
            new.user_id,
            new.type,
            new.subject,
            new.body,
            new.data,
            new.event_id,
        )
        return inserted

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

    async def prune_before(self, cutoff: datetime.datetime) -> int:
        status = await self._db.execute(
            "DELETE FROM notifications.inbox WHERE received_at < $1", cutoff
        )
        return int(status.rsplit(" ", 1)[-1])  # "DELETE <count>"


class RecipientRepository:
    """The service's own copy of recipients' addresses, kept by user events."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def apply(self, change: RecipientChange) -> None:
        if change.deleted:
            # A tombstone, without the address: later notifications are never mailed.
            await self._db.execute(
                "INSERT INTO notifications.recipients (user_id, changed_at, deleted_at)"
                " VALUES ($1, $2, now()) ON CONFLICT (user_id) DO UPDATE"
                " SET email = NULL, first_name = NULL,"
                " deleted_at = coalesce(recipients.deleted_at, now()),"
                " changed_at = greatest(recipients.changed_at, EXCLUDED.changed_at)",
                change.user_id,
                change.occurred_at,
            )
            return
        if change.email is None:
            return  # an event without an address (older payload): nothing to record
        # A redelivered older event must not overwrite a newer address, and nothing
        # brings a deleted recipient back.
        await self._db.execute(
            "INSERT INTO notifications.recipients (user_id, email, first_name, changed_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE"
            " SET email = EXCLUDED.email,"
            " first_name = coalesce(EXCLUDED.first_name, recipients.first_name),"
            " changed_at = EXCLUDED.changed_at"
            " WHERE recipients.deleted_at IS NULL AND recipients.changed_at <= EXCLUDED.changed_at",
            change.user_id,
            change.email,
            change.first_name,
            change.occurred_at,
        )


_PENDING = "delivered_at IS NULL AND failed_at IS NULL AND cancelled_at IS NULL"
_PENDING_D = "d.delivered_at IS NULL AND d.failed_at IS NULL AND d.cancelled_at IS NULL"
_MAX_ERROR_CHARS = 1000


class DeliveryRepository:
    """The email delivery queue: one row per notification (ADR 0041)."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def enqueue_for_events(self, event_ids: list[UUID], domain: str) -> None:
        """Queue the email of each notification these events produced, once.

        The Message-ID is fixed here, ``<notification-<id>@<domain>>``, and never changes.
        A notification whose recipient is already deleted is queued cancelled.
        """
        if not event_ids:
            return
        await self._db.execute(
            "INSERT INTO notifications.deliveries"
            " (notification_id, user_id, message_id, cancelled_at, last_error)"
            " SELECT n.id, n.user_id, format('<notification-%s@%s>', n.id, $2::text),"
            " r.deleted_at, CASE WHEN r.deleted_at IS NOT NULL"
            " THEN 'recipient deleted before delivery' END"
            " FROM notifications.notifications AS n"
            " LEFT JOIN notifications.recipients AS r ON r.user_id = n.user_id"
            " WHERE n.event_id = ANY($1::uuid[])"
            " ON CONFLICT (notification_id) DO NOTHING",
            event_ids,
            domain,
        )

    async def cancel_pending_for(self, user_id: UUID) -> int:
        status = await self._db.execute(
            "UPDATE notifications.deliveries SET cancelled_at = now(),"
            " last_error = 'recipient deleted before delivery'"
            f" WHERE user_id = $1 AND {_PENDING}",
            user_id,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def claim_next(self) -> OutgoingMail | None:
        """Lock the oldest due delivery whose recipient has an address, or None.

        The delivery row is locked for update and the recipient's row for share until the
        caller's transaction ends: another sender skips this delivery, and a concurrent
        user.deleted waits for the send to finish (then finds it delivered). Deliveries
        whose recipient is locked or unknown are skipped, never waited for.
        """
        row = await self._db.fetchrow(
            "SELECT d.notification_id, d.message_id, d.attempts, r.email, r.first_name,"
            " n.subject, n.body"
            " FROM notifications.deliveries AS d"
            " JOIN notifications.recipients AS r ON r.user_id = d.user_id"
            " JOIN notifications.notifications AS n ON n.id = d.notification_id"
            f" WHERE {_PENDING_D} AND d.next_attempt_at <= now()"
            " AND r.email IS NOT NULL"
            " ORDER BY d.next_attempt_at LIMIT 1"
            " FOR UPDATE OF d SKIP LOCKED FOR SHARE OF r SKIP LOCKED"
        )
        if row is None:
            return None
        return OutgoingMail(
            notification_id=row["notification_id"],
            message_id=row["message_id"],
            to=row["email"],
            first_name=row["first_name"],
            subject=row["subject"],
            body=row["body"],
            attempts=row["attempts"] + 1,
        )

    async def mark_delivered(self, notification_id: UUID) -> None:
        await self._db.execute(
            "UPDATE notifications.deliveries SET attempts = attempts + 1,"
            " delivered_at = now(), last_error = NULL WHERE notification_id = $1",
            notification_id,
        )

    async def retry_later(self, notification_id: UUID, delay_seconds: float, error: str) -> None:
        await self._db.execute(
            "UPDATE notifications.deliveries SET attempts = attempts + 1,"
            " next_attempt_at = now() + $2::interval, last_error = $3"
            " WHERE notification_id = $1",
            notification_id,
            datetime.timedelta(seconds=delay_seconds),
            error[:_MAX_ERROR_CHARS],
        )

    async def dead_letter(self, notification_id: UUID, error: str) -> None:
        await self._db.execute(
            "UPDATE notifications.deliveries SET attempts = attempts + 1,"
            " failed_at = now(), last_error = $2 WHERE notification_id = $1",
            notification_id,
            error[:_MAX_ERROR_CHARS],
        )

    async def give_up_unaddressed(self, waited: datetime.timedelta) -> int:
        """Set aside deliveries whose recipient's address never arrived within ``waited``."""
        status = await self._db.execute(
            "UPDATE notifications.deliveries AS d SET failed_at = now(),"
            " last_error = 'no email address known for this user'"
            f" WHERE {_PENDING_D} AND d.created_at < now() - $1::interval"
            " AND NOT EXISTS (SELECT 1 FROM notifications.recipients AS r"
            " WHERE r.user_id = d.user_id AND r.email IS NOT NULL)",
            waited,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def count_by_state(self) -> dict[str, int]:
        """Deliveries by state: pending, delivered, dead_letter, cancelled."""
        row = await self._db.fetchrow(
            f"SELECT count(*) FILTER (WHERE {_PENDING}) AS pending,"
            " count(delivered_at) AS delivered, count(failed_at) AS dead_letter,"
            " count(cancelled_at) AS cancelled FROM notifications.deliveries"
        )
        return {key: int(row[key]) for key in ("pending", "delivered", "dead_letter", "cancelled")}


class NotificationsUnitOfWork(UnitOfWork):
    """The notifications schema's repositories, working in one unit of work."""

    notifications: NotificationRepository
    inbox: InboxRepository
    recipients: RecipientRepository
    deliveries: DeliveryRepository

    def _open_repositories(self, db: Executor) -> None:
        self.notifications = NotificationRepository(db)
        self.inbox = InboxRepository(db)
        self.recipients = RecipientRepository(db)
        self.deliveries = DeliveryRepository(db)
