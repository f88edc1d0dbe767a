"""Housekeeping removes only rows that can never be used again."""

from __future__ import annotations

import uuid

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.housekeeping import prune_once
from refarch.reference_impl.users.domain import NewUser
from tests.reference_impl.services.factories import customer, new_product, order_body

pytestmark = pytest.mark.anyio


async def test_expired_refresh_tokens_and_old_idempotency_keys_are_pruned(
    services: Services,
) -> None:
    user = await services.users.register(
        NewUser(email=f"h-{uuid.uuid4().hex[:8]}@example.test", first_name="H", last_name="K"),
        "correct horse battery staple",
    )
    live = await services.users.login(user.email, "correct horse battery staple", "192.0.2.40")
    await services.users.login(user.email, "correct horse battery staple", "192.0.2.40")
    await services.pool.execute(
        "UPDATE users.refresh_tokens SET expires_at = now() - interval '1 second'"
        " WHERE token_hash <> sha256($1::bytea)",
        live.refresh_token.encode(),
    )
    buyer, product = customer(), await new_product(services)
    await services.orders.place_order(buyer, order_body((product, 1)), "old-key")
    await services.orders.place_order(buyer, order_body((product, 1)), "fresh-key")
    await services.pool.execute(
        "UPDATE orders.idempotency_keys SET created_at = now() - interval '25 hours'"
        " WHERE key = 'old-key'"
    )

    removed = await prune_once(
        {"tokens": services.users.prune_expired, "keys": services.orders.prune_expired}
    )

    assert removed == {"tokens": 1, "keys": 1}
    assert (await services.users.refresh(live.refresh_token)).access_token
    assert await services.pool.fetchval("SELECT array_agg(key) FROM orders.idempotency_keys") == [
        "fresh-key"
    ]


async def test_a_failing_step_does_not_stop_the_others(services: Services) -> None:
    async def broken() -> int:
        raise ConnectionError("database down")

    removed = await prune_once({"broken": broken, "keys": services.orders.prune_expired})

    assert removed == {"keys": 0}


async def test_the_notifications_inbox_forgets_event_ids_older_than_its_retention(
    services: Services,
) -> None:
    buyer, product = customer(), await new_product(services)
    await services.orders.place_order(buyer, order_body((product, 1)))
    await services.orders.place_order(buyer, order_body((product, 1)))
    await services.relay.drain()
    old = await services.pool.fetchval(
        "UPDATE notifications.inbox SET received_at = now() - interval '8 days'"
        " WHERE event_id = (SELECT event_id FROM notifications.inbox LIMIT 1) RETURNING event_id"
    )

    assert await services.notifications.prune_inbox() == 1

    left = await services.pool.fetch("SELECT event_id FROM notifications.inbox")
    assert old not in {row["event_id"] for row in left} and len(left) >= 2
