"""Delivered outbox events are pruned after the retention; nothing else ever is."""

from __future__ import annotations

import asyncio
import time
import uuid
from uuid import UUID

import pytest

from refarch.reference_impl.bootstrap import Services

pytestmark = pytest.mark.anyio

WAIT_SECONDS = 5.0


async def outbox_row(
    services: Services,
    schema: str,
    *,
    published_days_ago: int | None,
    failed: bool = False,
    created_days_ago: int = 30,
) -> UUID:
    """An outbox row written straight into ``schema``.outbox, aged as asked."""
    row_id = uuid.uuid4()
    await services.pool.execute(
        f"INSERT INTO {schema}.outbox"
        " (id, aggregate_type, aggregate_id, event_type, payload, created_at, published_at,"
        "  failed_at, sequence)"
        " VALUES ($1, 'test', $2, 'test.aged', '{}'::jsonb,"
        "  now() - make_interval(days => $3),"
        "  now() - make_interval(days => $4),"
        "  CASE WHEN $5 THEN now() END, 1)",
        row_id,
        uuid.uuid4(),
        created_days_ago,
        published_days_ago,  # NULL in, NULL out: not published
        failed,
    )
    return row_id


async def remaining(services: Services, schema: str) -> set[UUID]:
    rows = await services.pool.fetch(f"SELECT id FROM {schema}.outbox")
    return {row["id"] for row in rows}


async def test_published_events_older_than_the_retention_are_pruned_and_nothing_else(
    services: Services,
) -> None:
    kept: dict[str, set[UUID]] = {}
    old: dict[str, UUID] = {}
    for schema in ("users", "orders"):
        old[schema] = await outbox_row(services, schema, published_days_ago=8)
        kept[schema] = {
            await outbox_row(services, schema, published_days_ago=1),
            # Never delivered, however old: the relay still owes it to the consumer.
            await outbox_row(services, schema, published_days_ago=None),
            # Set aside for an operator: pruning it would lose the evidence.
            await outbox_row(services, schema, published_days_ago=None, failed=True),
        }

    assert await services.relay.prune_published() == 2

    for schema in ("users", "orders"):
        assert await remaining(services, schema) == kept[schema]


async def test_a_running_relay_prunes_on_its_first_round(services: Services) -> None:
    old = await outbox_row(services, "orders", published_days_ago=8)
    recent = await outbox_row(services, "orders", published_days_ago=1)
    relay = asyncio.create_task(services.relay.run_forever())
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while old in await remaining(services, "orders") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert await remaining(services, "orders") == {recent}
        assert not relay.done()
    finally:
        relay.cancel()
        with pytest.raises(asyncio.CancelledError):
            await relay
