"""Faults made by replacing service behaviour: broken business logic behind a correct API.

Each one wraps a method of a service object that ``build_services`` returned, and acts only
while the switch names it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import UUID

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.principal import Principal
from tests.conformance.faults.asgi import Fault

__all__ = ["SERVICE_FAULTS"]


def _as_admin(viewer: Principal) -> Principal:
    return Principal(user_id=viewer.user_id, role="admin")


class SkipsOrderOwnership(Fault):
    name, requirement, select = "skips-order-ownership-check", "ORD-004", ("ORD-004",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        orders = services.orders
        get_order, cancel_order = orders.get_order, orders.cancel_order

        async def get(viewer: Principal, order_id: UUID) -> Any:
            return await get_order(_as_admin(viewer) if active() else viewer, order_id)

        async def cancel(actor: Principal, order_id: UUID) -> Any:
            return await cancel_order(_as_admin(actor) if active() else actor, order_id)

        orders.get_order, orders.cancel_order = get, cancel  # type: ignore[method-assign]


class SkipsProfileOwnership(Fault):
    name, requirement, select = "skips-profile-ownership-check", "USR-008", ("USR-008",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        get_user = services.users.get_user

        async def get(viewer: Principal, user_id: UUID) -> Any:
            return await get_user(_as_admin(viewer) if active() else viewer, user_id)

        services.users.get_user = get  # type: ignore[method-assign]


class OversellsUnderConcurrency(Fault):
    """Read-then-write stock: every concurrent order reads the same level, then writes it
    back minus its own quantity (a lost update: measured selling 129-138 orders of 50 units)."""

    name, requirement, select = "oversells-under-concurrency", "ORD-002", ("ORD-002",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        catalog = services.catalog
        reserve = catalog.reserve_stock

        async def read_then_write(uow: Any, lines: list[Any], **kwargs: Any) -> Any:
            if active():
                ids = [line.product_id for line in lines]
                rows = await uow.connection.fetch(
                    "SELECT id, stock FROM catalog.products WHERE id = ANY($1::uuid[])", ids
                )
                seen = {row["id"]: row["stock"] for row in rows}
                await asyncio.sleep(0.05)  # let the other requests read the same level
                for product_id, stock in seen.items():
                    await uow.connection.execute(
                        "UPDATE catalog.products SET stock = $2 WHERE id = $1", product_id, stock
                    )
            return await reserve(uow, lines, **kwargs)

        catalog.reserve_stock = read_then_write  # type: ignore[method-assign]


class CancelKeepsStock(Fault):
    name, requirement, select = "cancel-does-not-restore-stock", "ORD-008", ("ORD-008",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        catalog = services.catalog
        release = catalog.release_stock

        async def maybe_release(uow: Any, lines: list[Any], **kwargs: Any) -> None:
            if not active():
                await release(uow, lines, **kwargs)

        catalog.release_stock = maybe_release  # type: ignore[method-assign]


SERVICE_FAULTS: list[Fault] = [
    SkipsOrderOwnership(),
    SkipsProfileOwnership(),
    OversellsUnderConcurrency(),
    CancelKeepsStock(),
]
