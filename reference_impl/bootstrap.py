"""The composition root: builds the four services and the outbox relay on one asyncpg pool.

The platform calls ``build_services`` in its lifespan and imports ``HANDLER_MODULES`` so
that every handler registers for its operationId. Tests call it too, with a real pool.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from reference_impl.catalog.service import CatalogService
from reference_impl.housekeeping import run_housekeeping
from reference_impl.notifications.service import NotificationsService
from reference_impl.orders.service import OrdersService
from reference_impl.outbox import OutboxRelay
from reference_impl.settings import Settings
from reference_impl.users.service import UsersService

__all__ = ["HANDLER_MODULES", "Services", "build_services"]

HANDLER_MODULES: tuple[str, ...] = (
    "reference_impl.users.handlers",
    "reference_impl.catalog.handlers",
    "reference_impl.orders.handlers",
    "reference_impl.notifications.handlers",
)

HOUSEKEEPING_INTERVAL_SECONDS = 3600.0


@dataclass
class Services:
    settings: Settings
    pool: asyncpg.Pool
    users: UsersService
    catalog: CatalogService
    orders: OrdersService
    notifications: NotificationsService
    relay: OutboxRelay

    def background_tasks(self) -> list[Callable[[], Awaitable[None]]]:
        """Coroutines the platform runs for the app's lifetime (and cancels at shutdown)."""
        housekeeping = functools.partial(
            run_housekeeping,
            {
                "users.refresh_tokens": self.users.prune_expired,
                "orders.idempotency_keys": self.orders.prune_expired,
            },
            interval_seconds=HOUSEKEEPING_INTERVAL_SECONDS,
        )
        return [self.relay.run_forever, housekeeping]

    async def outbox_lag_seconds(self) -> float:
        return await self.relay.lag_seconds()

    async def outbox_dead_letters(self) -> int:
        return await self.relay.dead_letter_count()

    async def close(self) -> None:
        """Nothing to release: the pool belongs to the platform, the relay is its task."""


async def build_services(pool: asyncpg.Pool, settings: Settings) -> Services:
    catalog = CatalogService(pool)
    notifications = NotificationsService(pool)
    return Services(
        settings=settings,
        pool=pool,
        users=UsersService(pool, settings),
        catalog=catalog,
        orders=OrdersService(pool, catalog),
        notifications=notifications,
        relay=OutboxRelay(
            pool, notifications.handle_event, poll_seconds=settings.outbox_poll_seconds
        ),
    )
