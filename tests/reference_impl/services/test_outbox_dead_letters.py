"""SEC-013: consumed events are validated; a bad event is set aside, the rest keep flowing."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.events import Event
from refarch.reference_impl.outbox import MAX_ATTEMPTS, OutboxRelay
from refarch.reference_impl.platform.metrics import Metrics
from refarch.reference_impl.unit_of_work import UnitOfWork
from tests.reference_impl.services.factories import customer, new_product, order_body

pytestmark = pytest.mark.anyio


async def notifications_of(services: Services, user_id: UUID) -> list[str]:
    items, _ = await services.notifications.list_for_user(user_id, type_=None, limit=100, offset=0)
    return sorted(n.type for n in items)


async def write_event(services: Services, event_type: str, payload: dict[str, Any]) -> UUID:
    """Write an event straight into orders.outbox, as a faulty producer would."""
    event = Event(event_type, "order", uuid.uuid4(), payload)
    async with UnitOfWork(services.pool) as uow:
        uow.publish("orders", event)
        await uow.commit()
    return event.id


def placed_without_user_id() -> dict[str, Any]:
    """An order.placed payload that is valid but for the missing user_id."""
    price = {"amount": 100, "currency": "EUR"}
    return {
        "order_id": str(uuid.uuid4()),
        "status": "pending",
        "items": [{"product_id": str(uuid.uuid4()), "quantity": 1, "unit_price": price}],
        "item_count": 1,
        "total": price,
        "placed_at": "2026-11-29T23:00:00Z",
    }


async def outbox_row(services: Services, event_id: UUID) -> dict[str, Any]:
    row = await services.pool.fetchrow(
        "SELECT attempts, failed_at, last_error, published_at FROM orders.outbox WHERE id = $1",
        event_id,
    )
    assert row is not None
    return dict(row)


@pytest.mark.requirement("SEC-013")
async def test_sec_013_malformed_event_is_set_aside_and_does_not_block_later_events(
    services: Services,
) -> None:
    buyer, product = customer(), await new_product(services)
    await services.relay.drain()  # product.created
    bad = await write_event(services, "order.placed", placed_without_user_id())
    await services.orders.place_order(buyer, order_body((product, 1)))

    assert await services.relay.drain() == 2  # product.stock_changed, order.placed

    assert await notifications_of(services, buyer.user_id) == ["order_confirmation"]
    row = await outbox_row(services, bad)
    assert row["failed_at"] is not None and row["published_at"] is None
    assert row["attempts"] == 1
    assert row["last_error"] == 'order.placed: /data: "user_id" is a required property'
    await services.refresh_outbox_gauges()
    assert await services.outbox_dead_letters() == 1

    assert await services.relay.drain() == 0  # not retried: it is no longer pending
    assert (await outbox_row(services, bad))["attempts"] == 1


async def test_sec_013_an_event_the_consumer_keeps_failing_on_is_set_aside_after_five_attempts(
    services: Services,
) -> None:
    first, second = customer(), customer()
    product = await new_product(services, stock=100)
    await services.orders.place_order(first, order_body((product, 1)))

    async def fails_for_the_first_buyer(uow: UnitOfWork, event: Event) -> object:
        if event.payload.get("user_id") == str(first.user_id):
            raise RuntimeError("consumer bug")
        return await services.notifications.handle_event(uow, event)

    relay = OutboxRelay(services.pool, fails_for_the_first_buyer, schemas=("orders",))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await services.orders.place_order(second, order_body((product, 1)))
        assert await relay.drain() == 1  # the others flow while the bad one is retried
        await services.refresh_outbox_gauges()
        assert await services.outbox_dead_letters() == (1 if attempt == MAX_ATTEMPTS else 0)

    bad = await services.pool.fetchrow(
        "SELECT attempts, failed_at, last_error FROM orders.outbox WHERE payload->>'user_id' = $1",
        str(first.user_id),
    )
    assert bad is not None and bad["attempts"] == MAX_ATTEMPTS
    assert bad["failed_at"] is not None
    assert bad["last_error"] == "RuntimeError: consumer bug"
    assert len(await notifications_of(services, second.user_id)) == MAX_ATTEMPTS
    # set aside: even a healthy consumer skips it
    assert (
        await OutboxRelay(
            services.pool, services.notifications.handle_event, schemas=("orders",)
        ).drain()
        == 0
    )
    assert await notifications_of(services, first.user_id) == []


async def test_sec_013_more_malformed_events_than_a_batch_still_let_good_ones_through(
    services: Services,
) -> None:
    for _ in range(5):
        await write_event(services, "order.placed", placed_without_user_id())
    buyer, product = customer(), await new_product(services)
    await services.orders.place_order(buyer, order_body((product, 1)))
    relay = OutboxRelay(
        services.pool, services.notifications.handle_event, batch_size=3, schemas=("orders",)
    )

    assert await relay.drain() == 1

    assert await notifications_of(services, buyer.user_id) == ["order_confirmation"]
    assert await relay.dead_letter_count() == 5


async def test_sec_013_lag_ignores_set_aside_events_and_a_gauge_counts_them(
    services: Services,
) -> None:
    await write_event(services, "order.status_changed", {"status": "lost"})
    await services.refresh_outbox_gauges()
    assert await services.outbox_lag_seconds() > 0.0

    assert await services.relay.drain() == 0

    await services.refresh_outbox_gauges()
    assert await services.outbox_lag_seconds() == 0.0
    assert await services.outbox_dead_letters() == 1
    scraped = (await Metrics().render(services.pool, services)).decode()
    assert "refarch_outbox_dead_letters 1.0" in scraped
    assert "refarch_outbox_lag_seconds 0.0" in scraped


async def test_sec_013_an_operator_replays_a_set_aside_event(services: Services) -> None:
    payload = placed_without_user_id()
    bad = await write_event(services, "order.placed", payload)
    await services.relay.drain()
    user_id = uuid.uuid4()
    # The documented replay: repair the payload if needed, then clear the failure.
    await services.pool.execute(
        "UPDATE orders.outbox SET payload = $2, failed_at = NULL, attempts = 0 WHERE id = $1",
        bad,
        {**payload, "user_id": str(user_id)},
    )

    assert await services.relay.drain() == 1

    assert await notifications_of(services, user_id) == ["order_confirmation"]
    await services.refresh_outbox_gauges()
    assert await services.outbox_dead_letters() == 0
