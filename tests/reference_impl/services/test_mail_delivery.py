"""Notifications are delivered by email: real PostgreSQL, a real SMTP server on loopback.

Events are fed to the notifications consumer in the contract's payload shapes (as the
broker hands them over), then the sender works through the delivery queue.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from uuid import UUID

import asyncpg
import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.events import Event
from refarch.reference_impl.notifications.delivery import MailSender, RetryPolicy
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.notifications.smtp import SmtpMailer
from refarch.reference_impl.platform.metrics import Metrics
from refarch.reference_impl.settings import SmtpRelay
from refarch.reference_impl.unit_of_work import UnitOfWork
from tests.support.smtp import closed_port, scripted_smtp

pytestmark = pytest.mark.anyio

SENDER = "refarch <no-reply@shop.example>"
FAST_RETRIES = RetryPolicy(first_delay_seconds=0.05, max_delay_seconds=0.2, max_attempts=3)
WAIT_SECONDS = 10.0


def sender_for(pool: asyncpg.Pool, relay: SmtpRelay, **options: object) -> MailSender:
    return MailSender(
        functools.partial(NotificationsUnitOfWork, pool),
        SmtpMailer(relay, timeout=5),
        sender=SENDER,
        retry=FAST_RETRIES,
        **options,  # type: ignore[arg-type]
    )


def user_event(event_type: str, user_id: UUID, at: datetime | None = None, **data: object) -> Event:
    return Event(
        event_type,
        "user",
        user_id,
        {"user_id": str(user_id), **data},
        occurred_at=at or datetime.now(UTC),
    )


def registered(user_id: UUID, email: str, *, at: datetime | None = None) -> Event:
    return user_event(
        "user.registered",
        user_id,
        at,
        email=email,
        first_name="Ada",
        last_name="Lovelace",
        role="customer",
        status="active",
    )


def order_placed(user_id: UUID) -> Event:
    order_id = uuid.uuid4()
    money = {"amount": 2500, "currency": "EUR"}
    return Event(
        "order.placed",
        "order",
        order_id,
        {
            "order_id": str(order_id),
            "user_id": str(user_id),
            "status": "pending",
            "items": [{"product_id": str(uuid.uuid4()), "quantity": 2, "unit_price": money}],
            "item_count": 2,
            "total": {"amount": 5000, "currency": "EUR"},
            "placed_at": datetime.now(UTC).isoformat(),
        },
    )


async def consume(services: Services, *events: Event) -> None:
    """Hand each event to the notifications consumer in its own committed transaction."""
    for event in events:
        async with UnitOfWork(services.pool) as uow:
            await services.notifications.handle_event(uow, event)
            await uow.commit()


async def delivery_of(pool: asyncpg.Pool, event: Event) -> asyncpg.Record:
    return await pool.fetchrow(
        "SELECT d.* FROM notifications.deliveries AS d"
        " JOIN notifications.notifications AS n ON n.id = d.notification_id"
        " WHERE n.event_id = $1",
        event.id,
    )


def new_user() -> tuple[UUID, str]:
    user_id = uuid.uuid4()
    return user_id, f"ada-{user_id.hex[:8]}@example.test"


async def send_until(sender: MailSender, done: object, *, timeout: float = WAIT_SECONDS) -> None:
    """Run the sender's rounds until ``done()`` holds (retries wait for their backoff)."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        await sender.send_due()
        await asyncio.sleep(0.02)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.mark.requirement("NTF-006")
async def test_ntf_mail_reaches_the_recipient_with_subject_and_body(services: Services) -> None:
    user_id, email = new_user()
    welcome, placed = registered(user_id, email), order_placed(user_id)
    await consume(services, welcome, placed)

    with scripted_smtp() as relay:
        assert await sender_for(services.pool, relay.relay).send_due() == 2

    assert [m["To"] for m in relay.accepted] == [email, email]
    by_subject = {m["Subject"]: m for m in relay.accepted}
    assert set(by_subject) == {"Welcome to refarch", "We received your order"}
    assert text_of(by_subject["Welcome to refarch"]).startswith("Hello Ada,")
    assert "2 item(s) totalling 50.00 EUR" in text_of(by_subject["We received your order"])
    assert all(m["From"] == SENDER for m in relay.accepted)
    row = await delivery_of(services.pool, welcome)
    assert row["delivered_at"] is not None and row["attempts"] == 1
    # a long Message-ID is folded onto its own line: compare it unfolded
    assert by_subject["Welcome to refarch"]["Message-ID"].strip() == row["message_id"]
    assert row["message_id"] == f"<notification-{row['notification_id']}@refarch.localhost>"


@pytest.mark.requirement("NTF-006")
async def test_ntf_a_temporary_refusal_is_retried_and_delivered_once(services: Services) -> None:
    user_id, email = new_user()
    welcome = registered(user_id, email)
    await consume(services, welcome)

    with scripted_smtp(["451 4.7.1 greylisted, try again later"]) as relay:
        sender = sender_for(services.pool, relay.relay)
        # one attempt (send_due could already retry once the short backoff has passed)
        assert await sender.send_one()
        first = await delivery_of(services.pool, welcome)
        assert first["delivered_at"] is None and first["failed_at"] is None
        assert first["attempts"] == 1 and "451" in first["last_error"]
        assert first["next_attempt_at"] > first["created_at"]

        await send_until(sender, lambda: relay.accepted)

    assert len(relay.refused) == 1 and len(relay.accepted) == 1
    assert relay.accepted[0]["To"] == email
    done = await delivery_of(services.pool, welcome)
    assert done["delivered_at"] is not None and done["attempts"] == 2
    assert done["last_error"] is None


@pytest.mark.requirement("NTF-007")
async def test_ntf_a_permanent_bounce_is_dead_lettered_and_counted(services: Services) -> None:
    user_id, email = new_user()
    welcome = registered(user_id, email)
    await consume(services, welcome)

    with scripted_smtp(["550 5.1.1 user unknown"]) as relay:
        sender = sender_for(services.pool, relay.relay)
        assert await sender.send_due() == 1
        assert await sender.send_due() == 0  # never retried

    assert relay.accepted == [] and len(relay.refused) == 1
    row = await delivery_of(services.pool, welcome)
    assert row["failed_at"] is not None and row["delivered_at"] is None
    assert "550 5.1.1 user unknown" in row["last_error"]
    await services.refresh_outbox_gauges()
    assert (await services.mail_deliveries())["dead_letter"] == 1
    scraped = (await Metrics().render(None, services)).decode()
    assert 'refarch_mail_deliveries{state="dead_letter"} 1.0' in scraped


@pytest.mark.requirement("NTF-006")
async def test_ntf_an_unreachable_relay_is_retried_then_given_up(services: Services) -> None:
    user_id, email = new_user()
    welcome = registered(user_id, email)
    await consume(services, welcome)
    sender = sender_for(services.pool, SmtpRelay(host="127.0.0.1", port=closed_port()))

    async def failed() -> bool:
        return (await delivery_of(services.pool, welcome))["failed_at"] is not None

    deadline = time.monotonic() + WAIT_SECONDS
    while not await failed() and time.monotonic() < deadline:
        await sender.send_due()
        await asyncio.sleep(0.02)

    row = await delivery_of(services.pool, welcome)
    assert row["attempts"] == FAST_RETRIES.max_attempts
    assert "gave up after 3 attempts" in row["last_error"]
    assert "unreachable" in row["last_error"]


@pytest.mark.requirement("NTF-008")
async def test_ntf_no_email_for_a_user_deleted_before_delivery(services: Services) -> None:
    user_id, email = new_user()
    welcome, placed = registered(user_id, email), order_placed(user_id)
    await consume(services, welcome, placed, user_event("user.deleted", user_id))
    late = order_placed(user_id)  # a notification that arrives after the deletion
    await consume(services, late)

    with scripted_smtp() as relay:
        assert await sender_for(services.pool, relay.relay).send_due() == 0

    assert relay.accepted == []
    for event in (welcome, placed, late):
        row = await delivery_of(services.pool, event)
        assert row["cancelled_at"] is not None and row["delivered_at"] is None
    address = await services.pool.fetchval(
        "SELECT email FROM notifications.recipients WHERE user_id = $1", user_id
    )
    assert address is None  # the copy of the address is erased with the user


@pytest.mark.requirement("NTF-006")
async def test_ntf_a_restarted_sender_does_not_send_again(services: Services) -> None:
    user_id, email = new_user()
    await consume(services, registered(user_id, email), order_placed(user_id))

    with scripted_smtp() as relay:
        assert await sender_for(services.pool, relay.relay).send_due() == 2
        # a new process: a new sender on the same database
        assert await sender_for(services.pool, relay.relay).send_due() == 0

    assert len(relay.accepted) == 2


@pytest.mark.requirement("NTF-006")
async def test_ntf_a_crash_before_commit_resends_with_the_same_message_id(
    services: Services,
) -> None:
    """At least once: the relay accepted, the process died before recording it."""
    user_id, email = new_user()
    await consume(services, registered(user_id, email))

    class CrashAfterSending(SmtpMailer):
        async def send(self, message: EmailMessage) -> None:
            await super().send(message)
            raise KeyboardInterrupt  # dies between the relay's 250 and the commit

    with scripted_smtp() as relay:
        crashing = MailSender(
            functools.partial(NotificationsUnitOfWork, services.pool),
            CrashAfterSending(relay.relay, timeout=5),
            sender=SENDER,
        )
        with pytest.raises(KeyboardInterrupt):
            await crashing.send_due()
        assert await sender_for(services.pool, relay.relay).send_due() == 1

    assert len(relay.accepted) == 2
    assert relay.accepted[0]["Message-ID"] == relay.accepted[1]["Message-ID"]


@pytest.mark.requirement("NTF-006")
async def test_ntf_concurrent_senders_send_each_email_once(services: Services) -> None:
    users = [new_user() for _ in range(6)]
    await consume(services, *(registered(user_id, email) for user_id, email in users))

    with scripted_smtp() as relay:
        senders = [sender_for(services.pool, relay.relay) for _ in range(3)]
        await asyncio.gather(*(sender.send_due() for sender in senders))

    ids = [m["Message-ID"] for m in relay.accepted]
    assert len(ids) == 6 and len(set(ids)) == 6


async def test_ntf_a_redelivered_event_is_mailed_once(services: Services) -> None:
    user_id, email = new_user()
    welcome = registered(user_id, email)
    await consume(services, welcome, welcome)

    with scripted_smtp() as relay:
        await sender_for(services.pool, relay.relay).send_due()

    assert len(relay.accepted) == 1


@pytest.mark.requirement("NTF-006")
async def test_ntf_mail_follows_the_current_address(services: Services) -> None:
    user_id, old = new_user()
    new = f"new-{old}"
    start = datetime.now(UTC)
    registration = registered(user_id, old, at=start)
    update = user_event(
        "user.updated",
        user_id,
        start + timedelta(seconds=1),
        email=new,
        role="customer",
        status="active",
        changed=["email"],
    )
    # the registration redelivered after the update must not bring the old address back
    await consume(services, registration, update, registration, order_placed(user_id))

    with scripted_smtp() as relay:
        await sender_for(services.pool, relay.relay).send_due()

    assert [m["To"] for m in relay.accepted] == [new, new]


async def test_ntf_mail_waits_for_the_address_then_gives_up(services: Services) -> None:
    user_id, email = new_user()
    early = order_placed(user_id)  # the order's event overtook the user's
    await consume(services, early)

    with scripted_smtp() as relay:
        sender = sender_for(services.pool, relay.relay)
        assert await sender.send_due() == 0
        await consume(services, registered(user_id, email))
        assert await sender.send_due() == 2
        assert sorted(m["Subject"] for m in relay.accepted) == [
            "We received your order",
            "Welcome to refarch",
        ]

        orphan = order_placed(uuid.uuid4())  # a user whose address never arrives
        await consume(services, orphan)
        assert (
            await sender_for(
                services.pool, relay.relay, address_wait_seconds=0
            ).give_up_unaddressed()
            == 1
        )

    row = await delivery_of(services.pool, orphan)
    assert row["failed_at"] is not None and "no email address" in row["last_error"]


@pytest.mark.requirement("NTF-006", "NTF-008")
async def test_ntf_a_batch_applies_the_user_events_in_order(services: Services) -> None:
    kept, kept_email = new_user()
    gone, gone_email = new_user()
    batch = [
        registered(kept, kept_email),
        order_placed(kept),
        registered(gone, gone_email),
        order_placed(gone),
        user_event("user.deleted", gone),
    ]
    async with UnitOfWork(services.pool) as uow:
        assert await services.notifications.handle_events(uow, batch) == 4
        await uow.commit()

    with scripted_smtp() as relay:
        assert await sender_for(services.pool, relay.relay).send_due() == 2

    assert [m["To"] for m in relay.accepted] == [kept_email, kept_email]
