"""The orders service: place (idempotently), read, cancel and move orders along their states."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from refarch.reference_impl.catalog.domain import PricedLine, StockLine
from refarch.reference_impl.events import Event
from refarch.reference_impl.orders.domain import (
    IdempotencyKeyInFlight,
    NotCancellable,
    Order,
    OrderLine,
    OrderNotFound,
    TooManyPendingOrders,
    check_transition,
    decide_replay,
    ensure_distinct_products,
    request_fingerprint,
)
from refarch.reference_impl.orders.repository import OrdersUnitOfWork
from refarch.reference_impl.orders.representation import order_document
from refarch.reference_impl.orders.shipping import ShippingChoice
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["OrderRenderer", "OrdersService", "PlacedOrder", "StockReservations"]

#: Turns an order into the JSON of the API version that placed it (recorded for replays).
OrderRenderer = Callable[[Order], dict[str, Any]]

#: A claim can vanish between our failed INSERT and our SELECT (its owner failed and
#: released it); trying again a few times resolves that race without looping forever.
_CLAIM_ATTEMPTS = 3
#: Pending orders expired per housekeeping round; the rest wait for the next round.
_EXPIRY_BATCH = 500
#: Who expires orders: no customer, so it may change any order (like an administrator).
_HOUSEKEEPING = Principal(user_id=UUID(int=0), role="admin")


class StockReservations(Protocol):
    """What orders need from the catalog: stock taken and given back inside their own
    unit of work (the catalog service provides it)."""

    async def reserve_stock(self, uow: UnitOfWork, lines: list[StockLine]) -> list[PricedLine]: ...

    async def release_stock(self, uow: UnitOfWork, lines: list[StockLine]) -> None: ...


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """The response to placeOrder: new, or replayed from an earlier identical request."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


def _status_event(order: Order, previous: str) -> Event:
    return Event(
        event_type="order.status_changed",
        aggregate_type="order",
        aggregate_id=order.id,
        payload={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "from": previous,
            "status": order.status,
        },
    )


def _placed_event(order: Order) -> Event:
    return Event(
        event_type="order.placed",
        aggregate_type="order",
        aggregate_id=order.id,
        payload={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "total": order.total.as_json(),
            "item_count": len(order.lines),
        },
    )


def _stock_lines(order: Order) -> list[StockLine]:
    return [StockLine(line.product_id, line.quantity) for line in order.lines]


class OrdersService:
    def __init__(
        self,
        uow: UnitOfWorkFactory[OrdersUnitOfWork],
        stock: StockReservations,
        *,
        pending_limit: int = 10,
        pending_ttl_seconds: int = 1800,
    ) -> None:
        self._uow = uow
        self._stock = stock
        self._pending_limit = pending_limit
        self._pending_ttl_seconds = pending_ttl_seconds

    # --- placing orders ------------------------------------------------------------------

    async def place_order(
        self,
        customer: Principal,
        body: dict[str, Any],
        idempotency_key: str | None = None,
        *,
        shipping: ShippingChoice | None = None,
        render: OrderRenderer = order_document,
    ) -> PlacedOrder:
        """Place the order described by ``body`` (the validated PlaceOrderRequest).

        ``shipping`` is v2's choice (None: v1's ``shipping_address``, shipped standard) and
        ``render`` the version's representation, which an idempotent replay returns as is.

        With an Idempotency-Key the key is first claimed in its own committed statement, so a
        concurrent retry sees the claim (409) rather than placing a second order. The order,
        its stock, its event and the key's recorded response then commit in one transaction.
        If placing fails (out of stock, unknown product) the claim is released instead of
        recording the failure: the key was not used up, and a retry after the stock was
        replenished may succeed.
        """
        shipping = shipping or ShippingChoice.standard(body["shipping_address"])
        if idempotency_key is None:
            return await self._place(customer, body, None, shipping, render)
        fingerprint = request_fingerprint(body)
        async with self._uow(autocommit=True) as uow:
            keys = uow.idempotency_keys
            for _ in range(_CLAIM_ATTEMPTS):
                if await keys.claim(customer.user_id, idempotency_key, fingerprint):
                    break
                stored = await keys.get(customer.user_id, idempotency_key)
                if stored is not None:
                    replay = decide_replay(stored, fingerprint)
                    return PlacedOrder(replay.status, replay.body, replayed=True)
            else:
                raise IdempotencyKeyInFlight()
            try:
                return await self._place(customer, body, idempotency_key, shipping, render)
            except BaseException:
                await keys.release(customer.user_id, idempotency_key)
                raise

    async def _place(
        self,
        customer: Principal,
        body: dict[str, Any],
        idempotency_key: str | None,
        shipping: ShippingChoice,
        render: OrderRenderer,
    ) -> PlacedOrder:
        requested = [
            StockLine(UUID(str(item["product_id"])), item["quantity"]) for item in body["items"]
        ]
        ensure_distinct_products([line.product_id for line in requested])
        async with self._uow() as uow:
            priced = await self._stock.reserve_stock(uow, requested)
            # After the stock, so one customer's simultaneous orders still take stock side
            # by side; the lock then makes their count-and-insert one at a time, so the
            # limit is exact. No deadlock: nothing else is locked once it is held.
            await uow.orders.lock_customer(customer.user_id)
            if await uow.orders.count_pending(customer.user_id) >= self._pending_limit:
                raise TooManyPendingOrders(int(self._pending_limit))
            order = Order(
                user_id=customer.user_id,
                lines=tuple(
                    OrderLine(p.product_id, p.sku, p.name, p.quantity, p.unit_price) for p in priced
                ),
                shipping_address=shipping.address,
                shipping_method=shipping.method,
                shipping_amount=shipping.cost.amount,
            )
            await uow.orders.add(order)
            document = render(order)
            uow.publish("orders", _placed_event(order))
            if idempotency_key is not None:
                await uow.idempotency_keys.complete(
                    customer.user_id, idempotency_key, 201, document
                )
            await uow.commit()
        return PlacedOrder(201, document)

    # --- reading -------------------------------------------------------------------------

    async def get_order(self, viewer: Principal, order_id: UUID) -> Order:
        async with self._uow(autocommit=True) as uow:
            order = await uow.orders.get(order_id, owner=self._owner_filter(viewer))
        if order is None:
            raise OrderNotFound()
        return order

    async def list_orders(
        self,
        *,
        user_id: UUID | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Order], int]:
        async with self._uow(autocommit=True) as uow:
            return await uow.orders.page(user_id=user_id, status=status, limit=limit, offset=offset)

    async def list_orders_after(
        self,
        *,
        user_id: UUID | None,
        status: str | None,
        limit: int,
        after: tuple[datetime, UUID] | None,
    ) -> tuple[list[Order], bool]:
        """A keyset page (API v2) and whether another follows."""
        async with self._uow(autocommit=True) as uow:
            return await uow.orders.page_after(
                user_id=user_id, status=status, limit=limit, after=after
            )

    @staticmethod
    def _owner_filter(viewer: Principal) -> UUID | None:
        """Whose orders the viewer may see: their own, or (admins) everyone's."""
        return None if viewer.is_admin else viewer.user_id

    # --- status changes ------------------------------------------------------------------

    async def cancel_order(self, actor: Principal, order_id: UUID) -> Order:
        """Owner or admin, only while pending (admins cancel paid orders by transition)."""
        return await self._change_status(actor, order_id, "cancelled", only_from="pending")

    async def transition_order(self, admin: Principal, order_id: UUID, target: str) -> Order:
        return await self._change_status(admin, order_id, target, only_from=None)

    async def _change_status(
        self, actor: Principal, order_id: UUID, target: str, *, only_from: str | None
    ) -> Order:
        async with self._uow() as uow:
            # The row lock serialises concurrent changes of one order: the second of two
            # simultaneous cancels waits, then sees "cancelled" and is refused, so stock is
            # returned exactly once.
            order = await uow.orders.get(order_id, owner=self._owner_filter(actor), for_update=True)
            if order is None:
                raise OrderNotFound()
            if only_from is not None and order.status != only_from:
                raise NotCancellable(order.status)
            check_transition(order.status, target)
            changed = await uow.orders.set_status(order, target)
            if target == "cancelled":
                await self._stock.release_stock(uow, _stock_lines(order))
            uow.publish("orders", _status_event(changed, order.status))
            await uow.commit()
        return changed

    async def expire_pending(self) -> int:
        """Housekeeping: cancel pending orders left unpaid past their time limit, returning
        their stock (ORD-017); returns how many expired.

        Each goes through the same locked status change as a cancellation, so one paid or
        cancelled meanwhile is left alone and stock is returned exactly once, however many
        workers run this at the same time.
        """
        cutoff = datetime.now(UTC) - timedelta(seconds=self._pending_ttl_seconds)
        async with self._uow(autocommit=True) as uow:
            stale = await uow.orders.pending_placed_before(cutoff, limit=_EXPIRY_BATCH)
        expired = 0
        for order_id in stale:
            try:
                await self._change_status(_HOUSEKEEPING, order_id, "cancelled", only_from="pending")
            except (OrderNotFound, NotCancellable):
                continue  # paid, cancelled or deleted since it was listed
            expired += 1
        return expired

    async def prune_expired(self) -> int:
        """Housekeeping: drop idempotency keys past their retention; returns how many went."""
        async with self._uow(autocommit=True) as uow:
            return await uow.idempotency_keys.delete_expired()
