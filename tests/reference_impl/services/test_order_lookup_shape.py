"""Another customer's order and an order id that does not exist cost the same work: the
same statements, so response time cannot tell an attacker which ids exist (BOLA timing)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.orders.domain import OrderNotFound
from refarch.reference_impl.principal import Principal
from tests.reference_impl.services.factories import customer, new_product, order_body

pytestmark = pytest.mark.anyio


@contextmanager
def _statements(services: Services) -> Iterator[list[str]]:
    """Record every statement sent through the pool's helpers while the block runs
    (a spy on the real pool: the statements still run on PostgreSQL)."""
    pool, seen = services.pool, []
    originals = {name: getattr(pool, name) for name in ("fetch", "fetchrow", "fetchval", "execute")}

    def spy(name: str) -> Any:
        async def recorded(query: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(f"{name}: {query}")
            return await originals[name](query, *args, **kwargs)

        return recorded

    for name in originals:
        setattr(pool, name, spy(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(pool, name, original)


async def test_another_customers_order_and_a_missing_id_run_the_same_statements(
    services: Services,
) -> None:
    owner, other = customer(), customer()
    product = await new_product(services, stock=5)
    placed = await services.orders.place_order(owner, order_body((product, 1)))
    order_id = uuid.UUID(placed.body["id"])

    with _statements(services) as foreign, pytest.raises(OrderNotFound):
        await services.orders.get_order(other, order_id)
    with _statements(services) as missing, pytest.raises(OrderNotFound):
        await services.orders.get_order(other, uuid.uuid4())

    assert foreign == missing
    assert len(foreign) == 1


async def test_the_owner_and_an_admin_still_read_the_order(services: Services) -> None:
    owner = customer()
    product = await new_product(services, stock=5)
    placed = await services.orders.place_order(owner, order_body((product, 1)))
    order_id = uuid.UUID(placed.body["id"])

    assert (await services.orders.get_order(owner, order_id)).id == order_id
    admin = Principal(user_id=uuid.uuid4(), role="admin")
    assert (await services.orders.get_order(admin, order_id)).id == order_id


async def test_cancelling_another_customers_order_is_not_found_and_changes_nothing(
    services: Services,
) -> None:
    owner, other = customer(), customer()
    product = await new_product(services, stock=5)
    placed = await services.orders.place_order(owner, order_body((product, 1)))
    order_id = uuid.UUID(placed.body["id"])

    with pytest.raises(OrderNotFound):
        await services.orders.cancel_order(other, order_id)
    assert (await services.orders.get_order(owner, order_id)).status == "pending"
