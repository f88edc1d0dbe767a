"""The background sender: works through the delivery queue and mails each notification.

One delivery per transaction: claim it (row locks, see ``DeliveryRepository.claim_next``),
hand the email to the relay, record the outcome, commit. Several senders (one per worker
process, a few loops each) share the queue without sending one email twice at the same
time, because a claimed delivery is locked until its outcome commits.

Delivery is at least once. If the process dies after the relay said "250 accepted" and
before the commit, the transaction rolls back and the email is sent again later, with the
same Message-ID (derived from the notification id) so the receiver can drop the copy. The
other order — commit "delivered" first, then send — would lose the email on that crash,
which is worse for an order confirmation (ADR 0041).

Outcomes: accepted → ``delivered_at``. A temporary failure (4xx, relay unreachable) →
retried after an exponential backoff, and set aside (``failed_at``, the dead letter) after
``max_attempts``. A permanent bounce (5xx) → set aside at once. A recipient deleted before
delivery → cancelled by the consumer, never claimed. A delivery whose recipient's address
never arrives is set aside after ``address_wait_seconds``.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from dataclasses import dataclass

from refarch.reference_impl.notifications.mail import OutgoingMail, compose
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.notifications.smtp import Mailer, PermanentFailure, TemporaryFailure
from refarch.reference_impl.unit_of_work import UnitOfWorkFactory

__all__ = ["MailSender", "RetryPolicy"]

log = logging.getLogger("refarch.reference_impl.notifications.delivery")

_MAX_LOOP_BACKOFF_SECONDS = 5.0


@dataclass(frozen=True)
class RetryPolicy:
    """When to try a temporarily failed email again, and when to stop.

    The defaults retry for about four hours (1 min, 2, 4, … capped at an hour, 10
    attempts): long enough to ride out a relay's maintenance or greylisting, short enough
    that a confirmation is not delivered days late.
    """

    first_delay_seconds: float = 60.0
    max_delay_seconds: float = 3600.0
    max_attempts: int = 10

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed try (1, 2, …)."""
        return min(self.max_delay_seconds, self.first_delay_seconds * 2.0 ** (attempts - 1))


class MailSender:
    def __init__(
        self,
        uow: UnitOfWorkFactory[NotificationsUnitOfWork],
        mailer: Mailer,
        *,
        sender: str,
        retry: RetryPolicy | None = None,
        poll_seconds: float = 0.5,
        address_wait_seconds: float = 24 * 3600.0,
        concurrency: int = 2,
    ) -> None:
        self._uow = uow
        self._mailer = mailer
        self._sender = sender
        self._retry = retry or RetryPolicy()
        self._poll_seconds = poll_seconds
        self._address_wait = datetime.timedelta(seconds=address_wait_seconds)
        self._concurrency = concurrency

    async def send_one(self) -> bool:
        """Send the oldest due delivery, if any; False when nothing was due."""
        async with self._uow() as uow:
            mail = await uow.deliveries.claim_next()
            if mail is None:
                return False
            try:
                await self._mailer.send(compose(mail, sender=self._sender))
            except PermanentFailure as exc:
                log.error("email %s bounced, set aside: %s", mail.message_id, exc)
                await uow.deliveries.dead_letter(mail.notification_id, f"permanent: {exc}")
            except Exception as exc:  # TemporaryFailure, or a fault nobody foresaw: retried
                await self._retry_or_give_up(uow, mail, exc)
            else:
                await uow.deliveries.mark_delivered(mail.notification_id)
            await uow.commit()
            return True

    async def _retry_or_give_up(
        self, uow: NotificationsUnitOfWork, mail: OutgoingMail, exc: Exception
    ) -> None:
        reason = str(exc) if isinstance(exc, TemporaryFailure) else f"{type(exc).__name__}: {exc}"
        if mail.attempts >= self._retry.max_attempts:
            log.error(
                "email %s set aside after %d attempts: %s", mail.message_id, mail.attempts, reason
            )
            await uow.deliveries.dead_letter(
                mail.notification_id, f"gave up after {mail.attempts} attempts: {reason}"
            )
            return
        delay = self._retry.delay_after(mail.attempts)
        log.warning(
            "email %s not sent (attempt %d), retrying in %.0fs: %s",
            mail.message_id,
            mail.attempts,
            delay,
            reason,
        )
        await uow.deliveries.retry_later(mail.notification_id, delay, reason)

    async def send_due(self) -> int:
        """Send everything due now (one loop); returns how many deliveries were tried."""
        tried = 0
        while await self.send_one():
            tried += 1
        return tried

    async def give_up_unaddressed(self) -> int:
        async with self._uow(autocommit=True) as uow:
            return await uow.deliveries.give_up_unaddressed(self._address_wait)

    async def run_forever(self) -> None:
        """Send until cancelled, ``concurrency`` loops side by side; survives outages."""
        await asyncio.gather(*(self._loop(first=i == 0) for i in range(self._concurrency)))

    async def _loop(self, *, first: bool) -> None:
        backoff = 0.1
        while True:
            try:
                await self.send_due()
                if first:
                    await self.give_up_unaddressed()
                backoff = 0.1
                await asyncio.sleep(self._poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:
                # the database is down (the relay's outcome could not be recorded: the
                # email is sent again later, same Message-ID); wait and try again
                log.warning("mail sender interrupted; retrying in %.1fs", backoff, exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_LOOP_BACKOFF_SECONDS)
