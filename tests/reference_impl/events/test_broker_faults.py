"""Faults proved with the real nats-server: broker down, consumer killed, malformed message."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from nats.aio.client import Client

from refarch.nats_server import EmbeddedBroker, start
from refarch.reference_impl.bootstrap import NOTIFICATIONS_CONSUMER, Services
from refarch.reference_impl.broker import Delivery, Settle
from refarch.reference_impl.jetstream import REASON_HEADER, JetStreamBroker, stream_names
from refarch.reference_impl.platform.metrics import Metrics
from tests.reference_impl.events.support import (
    eventually,
    notification_types,
    relay_and_consumer,
    running,
)
from tests.reference_impl.services.factories import customer, new_product, order_body

pytestmark = pytest.mark.anyio

EVENTS, DEAD_LETTERS = stream_names("refarch")


async def count(services: Services, sql: str) -> int:
    return int(await services.pool.fetchval(sql))


async def pending(services: Services) -> int:
    return await count(
        services,
        "SELECT (SELECT count(*) FROM catalog.outbox WHERE published_at IS NULL)"
        " + (SELECT count(*) FROM orders.outbox WHERE published_at IS NULL)",
    )


@pytest.mark.requirement("EVT-006")
async def test_evt_broker_stopped_mid_traffic_loses_nothing_and_applies_nothing_twice(
    services: Services, broker: EmbeddedBroker
) -> None:
    buyer, product = customer(), await new_product(services, stock=100)
    restarted: EmbeddedBroker | None = None
    try:
        async with relay_and_consumer(services):
            for _ in range(5):
                await services.orders.place_order(buyer, order_body((product, 1)))
            await eventually(lambda: pending(services), lambda n: n == 0)

            broker.stop()
            # The API's work does not touch the broker: orders keep being placed.
            for _ in range(10):
                placed = await services.orders.place_order(buyer, order_body((product, 1)))
                assert placed.status == 201
            await asyncio.sleep(1.0)  # the relay is retrying meanwhile
            assert await pending(services) == 20  # each order: stock_changed + placed

            port = int(broker.url.rsplit(":", 1)[1])
            restarted = start(broker.store_dir, port=port)
            await eventually(lambda: pending(services), lambda n: n == 0, seconds=30)
            confirmations = await eventually(
                lambda: notification_types(services, buyer.user_id),
                lambda found: len(found) == 15,
                seconds=30,
            )
    finally:
        if restarted is not None:
            restarted.stop()

    assert confirmations == ["order_confirmation"] * 15
    # every order.placed applied exactly once (notifications receives no catalog events)
    placed = await count(services, "SELECT count(*) FROM orders.outbox")
    assert await count(services, "SELECT count(*) FROM notifications.inbox") == placed == 15


@pytest.mark.requirement("EVT-006")
async def test_evt_a_consumer_killed_after_its_commit_gets_the_batch_again_without_duplicates(
    services: Services, broker: EmbeddedBroker
) -> None:
    assert services.consumer is not None and services.broker is not None
    consumer, healthy_broker = services.consumer, services.broker
    buyer, product = customer(), await new_product(services, stock=100)
    for _ in range(6):
        await services.orders.place_order(buyer, order_body((product, 1)))
    async with running(services.relay.run_forever):
        await eventually(lambda: pending(services), lambda n: n == 0)

    # A consumer process that applies and commits its batch, then dies before it acks.
    committed = asyncio.Event()

    async def commit_then_die(deliveries: Sequence[Delivery]) -> list[Settle]:
        await consumer.handle_batch(deliveries)
        committed.set()
        await asyncio.Event().wait()  # killed here: the acks are never sent
        raise AssertionError("unreachable")

    doomed = JetStreamBroker(broker.url, ack_wait_seconds=2)
    types = consumer.event_types
    async with running(
        lambda: doomed.consume(NOTIFICATIONS_CONSUMER, commit_then_die, event_types=types)
    ):
        await asyncio.wait_for(committed.wait(), timeout=15)
    await doomed.close()
    assert await notification_types(services, buyer.user_id) == ["order_confirmation"] * 6

    # Its replacement gets the same messages again (JetStream redelivers after ack_wait).
    attempts: list[int] = []

    async def recording(deliveries: Sequence[Delivery]) -> list[Settle]:
        attempts.extend(delivery.attempt for delivery in deliveries)
        return await consumer.handle_batch(deliveries)

    async with running(
        lambda: healthy_broker.consume(NOTIFICATIONS_CONSUMER, recording, event_types=types)
    ):
        await eventually(lambda: asyncio.sleep(0, attempts), lambda seen: len(seen) >= 6)

    assert len(attempts) == 6 and min(attempts) >= 2  # each order.placed, delivered again
    assert await notification_types(services, buyer.user_id) == ["order_confirmation"] * 6


@pytest.mark.requirement("EVT-008")
async def test_evt_a_malformed_message_is_set_aside_counted_and_the_consumer_goes_on(
    services: Services, nats_client: Client
) -> None:
    js = nats_client.jetstream()
    async with relay_and_consumer(services):
        buyer, product = customer(), await new_product(services)
        await eventually(lambda: pending(services), lambda n: n == 0)  # the streams exist
        await js.publish("refarch.order.placed", b'{"type": "order.placed", "data": {}}')
        await js.publish("refarch.order.placed", b"\xff not json")
        await services.orders.place_order(buyer, order_body((product, 1)))

        found = await eventually(
            lambda: notification_types(services, buyer.user_id), lambda found: bool(found)
        )
        dead = await eventually(
            lambda: js.stream_info(DEAD_LETTERS), lambda info: info.state.messages == 2
        )

    assert found == ["order_confirmation"]
    assert dead.state.messages == 2
    first = await js.get_msg(DEAD_LETTERS, dead.state.first_seq)
    assert first.subject == "refarch-dead.notifications"
    assert first.headers is not None
    assert '"id" is a required property' in first.headers[REASON_HEADER]
    scraped = (await Metrics().render(services.pool, services)).decode()
    assert 'refarch_event_consumer_dead_letters{consumer="notifications"} 2.0' in scraped
