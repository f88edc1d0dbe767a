"""Events reach the notifications service through the outbox relay, once per event."""

from __future__ import annotations

import asyncio
import time
import uuid
from uuid import UUID

import asyncpg
import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.events import Event
from refarch.reference_impl.outbox import OutboxRelay
from refarch.reference_impl.unit_of_work import UnitOfWork
from refarch.reference_impl.users.domain import NewUser
from tests.reference_impl.services.factories import customer, new_product, order_body

pytestmark = pytest.mark.anyio

WAIT_SECONDS = 5.0


async def notifications_of(services: Services, user_id: UUID) -> list[str]:
    items, _ = await services.notifications.list_for_user(user_id, type_=None, limit=100, offset=0)
    return sorted(n.type for n in items)


async def wait_for(services: Services, user_id: UUID, expected: list[str]) -> list[str]:
    deadline = time.monotonic() + WAIT_SECONDS
    found = await notifications_of(services, user_id)
    while found != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await notifications_of(services, user_id)
    return found


async def test_ntf_running_relay_delivers_welcome_and_order_notifications(
    services: Services,
) -> None:
    relay = asyncio.create_task(services.background_tasks()[0]())
    try:
        user = await services.users.register(
            NewUser(email=f"n-{uuid.uuid4().hex[:8]}@example.test", first_name="N", last_name="T"),
            "correct horse battery staple",
        )
        buyer = customer()
        product = await new_product(services)
        placed = await services.orders.place_order(buyer, order_body((product, 1)))
        await services.orders.cancel_order(buyer, UUID(placed.body["id"]))

        assert await wait_for(services, user.id, ["welcome"]) == ["welcome"]
        expected = ["order_confirmation", "order_status_changed"]
        assert await wait_for(services, buyer.user_id, expected) == expected
    finally:
        relay.cancel()
        with pytest.raises(asyncio.CancelledError):
            await relay
    await services.refresh_outbox_gauges()
    assert await services.outbox_lag_seconds() == 0.0
    cancelled, _ = await services.notifications.list_for_user(
        buyer.user_id, type_="order_status_changed", limit=10, offset=0
    )
    assert cancelled[0].data == {"order_id": placed.body["id"], "status": "cancelled"}


async def test_ntf_an_event_delivered_twice_gives_one_notification(services: Services) -> None:
    buyer = customer()
    product = await new_product(services)
    await services.orders.place_order(buyer, order_body((product, 1)))
    await services.refresh_outbox_gauges()
    assert await services.outbox_lag_seconds() > 0.0

    assert await services.relay.drain() == 3  # product.created, product.stock_changed, order.placed
    # Simulate a relay that crashed after the consumer ran but before marking it published.
    await services.pool.execute("UPDATE orders.outbox SET published_at = NULL")
    assert await services.relay.drain() == 1

    assert await notifications_of(services, buyer.user_id) == ["order_confirmation"]


async def test_ntf_two_relays_at_once_never_deliver_an_event_twice(
    services: Services,
) -> None:
    buyer, product = customer(), await new_product(services, stock=100)
    for _ in range(30):
        await services.orders.place_order(buyer, order_body((product, 1)))
    relays = [
        OutboxRelay(
            services.pool, services.notifications.handle_event, batch_size=5, schemas=("orders",)
        )
        for _ in range(2)
    ]

    delivered = await asyncio.gather(*(relay.drain() for relay in relays))

    assert sum(delivered) == 30
    assert await services.pool.fetchval("SELECT count(*) FROM notifications.notifications") == 30


async def test_ntf_an_event_the_consumer_fails_on_waits_without_blocking_the_rest(
    services: Services,
) -> None:
    first, second = customer(), customer()
    product = await new_product(services)
    await services.orders.place_order(first, order_body((product, 1)))
    await services.orders.place_order(second, order_body((product, 1)))

    async def fails_for_the_first_buyer(uow: UnitOfWork, event: Event) -> object:
        if event.payload.get("user_id") == str(first.user_id):
            raise KeyError("a payload this consumer cannot handle")
        return await services.notifications.handle_event(uow, event)

    relay = OutboxRelay(services.pool, fails_for_the_first_buyer, schemas=("orders",))
    assert await relay.drain() == 1
    assert await notifications_of(services, second.user_id) == ["order_confirmation"]
    assert await notifications_of(services, first.user_id) == []

    # retried later, once the consumer copes (the catalog's events come along)
    assert await services.relay.drain() == 4
    assert await notifications_of(services, first.user_id) == ["order_confirmation"]


async def test_ntf_relay_resumes_by_itself_after_its_connections_are_killed(
    services: Services, database_url: str
) -> None:
    relay = asyncio.create_task(services.relay.run_forever())
    try:
        await asyncio.sleep(0)  # let the relay connect and LISTEN
        # What a failover or an operator's pg_terminate_backend does to a running app.
        killer = await asyncpg.connect(database_url)
        try:
            killed = await killer.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await killer.close()
        # Requests would now get 503 until the pool replaces its dead connections; that is the
        # platform's concern. Here only the relay is under test, so refresh the pool directly.
        await services.pool.expire_connections()
        buyer, product = customer(), await new_product(services)
        await services.orders.place_order(buyer, order_body((product, 1)))

        assert killed >= 1
        assert await wait_for(services, buyer.user_id, ["order_confirmation"]) == [
            "order_confirmation"
        ]
        assert not relay.done()  # it survived the outage instead of crashing
    finally:
        relay.cancel()
        with pytest.raises(asyncio.CancelledError):
            await relay
