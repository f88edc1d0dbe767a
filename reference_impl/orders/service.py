"""The orders service: place (idempotently), read, cancel and move orders along their states."""

from __future__ import annotations

import uuid
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
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["OrdersService", "PlacedOrder", "StockReservations"]

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

    async def reserve_stock(
        self, uow: UnitOfWork, lines: list[StockLine], *, order_id: UUID
    ) -> list[PricedLine]: ...

    async def release_stock(
        self, uow: UnitOfWork, lines: list[StockLine], *, order_id: UUID, reason: str
    ) -> None: ...


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


def _items(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "product_id": str(line.product_id),
            "quantity": line.quantity,
            "unit_price": line.unit_price.as_json(),
        }
        for line in order.lines
    ]


def _placed_event(order: Order) -> Event:
    return Event(
        event_type="order.placed",
        aggregate_type="order",
        aggregate_id=order.id,
        payload={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "status": order.status,
            "items": _items(order),
            "item_count": sum(line.quantity for line in order.lines),
            "total": order.total.as_json(),
            "placed_at": order.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        },
    )


def _cancelled_event(order: Order, previous: str, reason: str) -> Event:
    return Event(
        event_type="order.cancelled",
        aggregate_type="order",
        aggregate_id=order.id,
        payload={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "from": previous,
            "reason": reason,
            "total": order.total.as_json(),
            "items": _items(order),
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
    ) -> PlacedOrder:
        """Place the order described by ``body`` (the validated PlaceOrderRequest).

        With an Idempotency-Key the key is first claimed in its own committed statement, so a
        concurrent retry sees the claim (409) rather than placing a second order. The order,
        its stock, its event and the key's recorded response then commit in one transaction.
        If placing fails (out of stock, unknown product) the claim is released instead of
        recording the failure: the key was not used up, and a retry after the stock was
        replenished may succeed.
        """
        if idempotency_key is None:
            return await self._place(customer, body, None)
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
                return await self._place(customer, body, idempotency_key)
            except BaseException:
                await keys.release(customer.user_id, idempotency_key)
                raise

    async def _place(
        self, customer: Principal, body: dict[str, Any], idempotency_key: str | None
    ) -> PlacedOrder:
        requested = [
            StockLine(UUID(str(item["product_id"])), item["quantity"]) for item in body["items"]
        ]
        ensure_distinct_products([line.product_id for line in requested])
        order_id = uuid.uuid4()  # known before the stock is taken: the stock events name it
        async with self._uow() as uow:
            priced = await self._stock.reserve_stock(uow, requested, order_id=order_id)
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
                shipping_address=body["shipping_address"],
                id=order_id,
            )
            await uow.orders.add(order)
            document = order_document(order)
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

    @staticmethod
    def _owner_filter(viewer: Principal) -> UUID | None:
        """Whose orders the viewer may see: their own, or (admins) everyone's."""
        return None if viewer.is_admin else viewer.user_id

    # --- status changes ------------------------------------------------------------------

    async def cancel_order(self, actor: Principal, order_id: UUID) -> Order:
        """Owner or admin, only while pending (admins cancel paid orders by transition)."""
        reason = "admin" if actor.is_admin else "customer"
        return await self._change_status(
            actor, order_id, "cancelled", only_from="pending", reason=reason
        )

    async def transition_order(self, admin: Principal, order_id: UUID, target: str) -> Order:
        return await self._change_status(admin, order_id, target, only_from=None)

    async def _change_status(
        self,
        actor: Principal,
        order_id: UUID,
        target: str,
        *,
        only_from: str | None,
        reason: str = "admin",
    ) -> Order:
        """Move the order to ``target``; ``reason`` (customer, admin, expired) is recorded
        when it is a cancellation."""
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
                # the cancellation is its own event, never also a status_changed
                stock_reason = "order_expired" if reason == "expired" else "order_cancelled"
                await self._stock.release_stock(
                    uow, _stock_lines(order), order_id=order.id, reason=stock_reason
                )
                uow.publish("orders", _cancelled_event(changed, order.status, reason))
            else:
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
                await self._change_status(
                    _HOUSEKEEPING, order_id, "cancelled", only_from="pending", reason="expired"
                )
            except (OrderNotFound, NotCancellable):
                continue  # paid, cancelled or deleted since it was listed
            expired += 1
        return expired

    async def prune_expired(self) -> int:
        """Housekeeping: drop idempotency keys past their retention; returns how many went."""
        async with self._uow(autocommit=True) as uow:
            return await uow.idempotency_keys.delete_expired()
