"""How fast the mail sender drains the delivery queue into a loopback SMTP sink.

Queues N welcome notifications through the notifications consumer (contract-shaped
``user.registered`` events), then times ``MailSender`` loops draining them into the local
aiosmtpd sink `refarch serve` would start, for 1, 2 and 4 loops side by side, each on a
fresh throw-away embedded PostgreSQL. Every run checks that the sink stored exactly N
messages. One SMTP connection per email (aiosmtplib.send), so the figure is a floor.

    .venv/bin/python -m bench.mail_delivery [--emails 400]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from refarch import pg
from refarch.migrate import apply_migrations
from refarch.reference_impl.events import Event
from refarch.reference_impl.notifications.delivery import MailSender
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.notifications.service import NotificationsService
from refarch.reference_impl.notifications.smtp import SmtpMailer
from refarch.reference_impl.platform.database import create_pool
from refarch.reference_impl.settings import parse_smtp_url
from refarch.reference_impl.unit_of_work import UnitOfWork
from refarch.smtp_sink import list_mail, running


def _welcome(number: int) -> Event:
    user_id = uuid.uuid4()
    payload = {
        "user_id": str(user_id),
        "email": f"user{number}@example.test",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "role": "customer",
        "status": "active",
    }
    return Event("user.registered", "user", user_id, payload)


async def _drain(database_url: str, smtp_url: str, emails: int, loops: int) -> float:
    """Seconds the sender's ``loops`` took to send ``emails`` queued emails."""
    connection = await asyncpg.connect(database_url)
    try:
        await apply_migrations(connection)
    finally:
        await connection.close()
    pool = await create_pool(database_url, min_size=2, max_size=10)
    try:
        unit_of_work = functools.partial(NotificationsUnitOfWork, pool)
        consumer = NotificationsService(unit_of_work)
        for number in range(emails):
            async with UnitOfWork(pool) as uow:
                await consumer.handle_event(uow, _welcome(number))
                await uow.commit()
        sender = MailSender(
            unit_of_work,
            SmtpMailer(parse_smtp_url(smtp_url)),
            sender="refarch <no-reply@refarch.localhost>",
        )
        start = time.perf_counter()
        await asyncio.gather(*(sender.send_due() for _ in range(loops)))
        return time.perf_counter() - start
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=400)
    emails = parser.parse_args().emails
    for loops in (1, 2, 4):
        base = Path(tempfile.mkdtemp(prefix="refarch-mail-bench-"))
        try:
            with pg.temporary(base / "pg") as database, running(base / "mail") as smtp_url:
                seconds = asyncio.run(_drain(database.url, smtp_url, emails, loops))
                stored = len(list_mail(base / "mail"))
        finally:
            shutil.rmtree(base, ignore_errors=True)
        assert stored == emails, f"the sink stored {stored} of {emails} emails"
        print(
            f"{loops} sender loop(s): {emails} emails in {seconds:.2f} s = {emails / seconds:.0f}/s"
        )


if __name__ == "__main__":
    main()
