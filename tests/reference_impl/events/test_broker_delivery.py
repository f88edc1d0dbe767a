"""Events travel outbox -> JetStream -> the notifications' durable consumer (real server)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from uuid import UUID

import pytest
from nats.aio.client import Client

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.catalog.domain import OutOfStock
from refarch.reference_impl.event_schemas import validate_envelope
from refarch.reference_impl.jetstream import stream_names
from refarch.reference_impl.users.domain import NewUser
from tests.reference_impl.events.support import (
    eventually,
    notification_types,
    relay_and_consumer,
    stream_bodies,
)
from tests.reference_impl.services.factories import admin, customer, new_product, order_body

pytestmark = pytest.mark.anyio

EVENTS, _ = stream_names("refarch")


async def outbox_pending(services: Services) -> int:
    return int(
        await services.pool.fetchval(
            "SELECT (SELECT count(*) FROM users.outbox WHERE published_at IS NULL)"
            " + (SELECT count(*) FROM catalog.outbox WHERE published_at IS NULL)"
            " + (SELECT count(*) FROM orders.outbox WHERE published_at IS NULL)"
        )
    )


@pytest.mark.requirement("EVT-001")
async def test_evt_every_change_reaches_the_stream_and_the_notifications_consumer(
    services: Services, nats_client: Client
) -> None:
    async with relay_and_consumer(services):
        user = await services.users.register(
            NewUser(email=f"b-{uuid.uuid4().hex[:8]}@example.test", first_name="B", last_name="T"),
            "correct horse battery staple",
        )
        buyer, product = customer(), await new_product(services, stock=5)
        placed = await services.orders.place_order(buyer, order_body((product, 2)))
        order_id = UUID(placed.body["id"])
        await services.orders.transition_order(admin(), order_id, "paid")
        second = await services.orders.place_order(buyer, order_body((product, 1)))
        await services.orders.cancel_order(buyer, UUID(second.body["id"]))

        welcome = await eventually(lambda: notification_types(services, user.id), bool)
        # two confirmations, paid, cancelled
        expected = sorted(["order_confirmation", "order_status_changed"] * 2)
        mine = await eventually(
            lambda: notification_types(services, buyer.user_id), lambda found: found == expected
        )

    assert welcome == ["welcome"]
    assert mine == expected
    assert await outbox_pending(services) == 0

    bodies = await stream_bodies(nats_client.jetstream(), EVENTS)
    for body in bodies:
        validate_envelope(body)  # each one as the AsyncAPI document says
    assert [b["type"] for b in bodies if b["aggregate_id"] == str(order_id)] == [
        "order.placed",
        "order.status_changed",
    ]
    assert [b["type"] for b in bodies if b["aggregate_id"] == str(product.id)] == [
        "product.created",
        "product.stock_changed",
        "product.stock_changed",
        "product.stock_changed",
    ]
    sequences: dict[str, list[int]] = defaultdict(list)
    for body in bodies:
        sequences[body["aggregate_id"]].append(body["sequence"])
    assert all(seq == list(range(1, len(seq) + 1)) for seq in sequences.values())
    stock = [b["data"] for b in bodies if b["type"] == "product.stock_changed"]
    assert [(s["delta"], s["stock"], s["reason"]) for s in stock] == [
        (-2, 3, "order_placed"),
        (-1, 2, "order_placed"),
        (1, 3, "order_cancelled"),
    ]


@pytest.mark.requirement("EVT-004")
async def test_evt_an_idempotent_retry_publishes_one_event(
    services: Services, nats_client: Client
) -> None:
    buyer, product = customer(), await new_product(services)
    first = await services.orders.place_order(buyer, order_body((product, 1)), "key-1")
    again = await services.orders.place_order(buyer, order_body((product, 1)), "key-1")
    assert again.replayed and again.body == first.body

    async with relay_and_consumer(services):
        await eventually(lambda: outbox_pending(services), lambda n: n == 0)
    bodies = await stream_bodies(nats_client.jetstream(), EVENTS)

    assert [b["type"] for b in bodies if b["type"].startswith("order.")] == ["order.placed"]


@pytest.mark.requirement("EVT-003")
async def test_evt_a_refused_order_publishes_nothing(
    services: Services, nats_client: Client
) -> None:
    buyer, product = customer(), await new_product(services, stock=1)
    with pytest.raises(OutOfStock):
        await services.orders.place_order(buyer, order_body((product, 2)))

    async with relay_and_consumer(services):
        await eventually(lambda: outbox_pending(services), lambda n: n == 0)
    bodies = await stream_bodies(nats_client.jetstream(), EVENTS)

    assert [b["type"] for b in bodies] == ["product.created"]
