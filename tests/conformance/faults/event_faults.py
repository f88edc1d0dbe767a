"""Event faults: the reference implementation publishing wrongly in one way at a time.

Most wrap the broker adapter's ``publish_many`` (what the outbox relay calls): the outbox,
the transaction and the API stay correct, and the stream carries a wrong message, a
missing one, an extra one or one out of order. Two act earlier: one publishes an event the
moment a service records it, before its transaction commits; one invents an event for an
order the service refused. Each acts only while the switch names it.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.events import Event, current_request_id, envelope_of
from refarch.reference_impl.unit_of_work import UnitOfWork
from tests.conformance.faults.asgi import Fault

__all__ = ["EVENT_FAULTS", "restore_unit_of_work"]

Envelope = dict[str, Any]


class PublisherFault(Fault):
    """Rewrites the batch the relay hands the broker; ``rewrite`` returns what is sent."""

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        return envelopes

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        broker = services.broker
        assert broker is not None, "event faults need a broker (set NATS_URL)"
        publish_many = broker.publish_many

        async def publish(envelopes: Sequence[Mapping[str, Any]]) -> None:
            batch = [copy.deepcopy(dict(e)) for e in envelopes]
            await publish_many(self.rewrite(batch) if active() else batch)

        broker.publish_many = publish  # type: ignore[method-assign]


class DropsProductUpdated(PublisherFault):
    name, requirement, select = "missing-product-updated", "EVT-001", ("EVT-001",)

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        return [e for e in envelopes if e["type"] != "product.updated"]


class MoneyAsText(PublisherFault):
    name, requirement, select = "wrong-schema-money-as-text", "EVT-001", ("EVT-001",)

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        for envelope in envelopes:
            if envelope["type"] == "order.placed":
                total = envelope["data"]["total"]
                total["amount"] = str(total["amount"])
        return envelopes


class DropsRequestIdField(PublisherFault):
    name, requirement, select = "missing-envelope-field", "EVT-001", ("EVT-001",)

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        for envelope in envelopes:
            envelope.pop("request_id", None)
        return envelopes


class WrongAggregateId(PublisherFault):
    name, requirement, select = "wrong-aggregate-id", "EVT-002", ("EVT-002",)

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        for envelope in envelopes:
            if envelope["aggregate_type"] == "order":
                envelope["aggregate_id"] = str(uuid.uuid4())
        return envelopes


class ForeignRequestId(PublisherFault):
    name, requirement, select = "wrong-request-id", "EVT-002", ("EVT-002",)

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        for envelope in envelopes:
            if envelope.get("request_id"):
                envelope["request_id"] = uuid.uuid4().hex
        return envelopes


class DuplicateWithNewId(PublisherFault):
    """A relay that re-creates an event when it retries: same change, a second id."""

    name, requirement, select = "duplicate-with-new-id", "EVT-006", ("EVT-006",)

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        doubled = []
        for envelope in envelopes:
            doubled += [envelope, {**copy.deepcopy(envelope), "id": str(uuid.uuid4())}]
        return doubled


class HoldsBackProductUpdated(PublisherFault):
    """Publishes a product.updated only after the product's next event (wrong order)."""

    name, requirement, select = "wrong-order", "EVT-005", ("EVT-005",)

    def __init__(self) -> None:
        self.held: dict[str, Envelope] = {}

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        sent = []
        for envelope in envelopes:
            aggregate = envelope["aggregate_id"]
            if envelope["type"] == "product.updated" and aggregate not in self.held:
                self.held[aggregate] = envelope
                continue
            sent.append(envelope)
            late = self.held.get(aggregate)
            if late is not None and late is not envelope:
                sent.append(late)
                self.held[aggregate] = envelope  # the slot stays used: hold only once
        return sent


class StatusJumps(PublisherFault):
    """Every status change claims to start from pending: the machine skips steps."""

    name, requirement, select = "breaks-the-order-state-machine", "EVT-007", ("EVT-007",)

    def rewrite(self, envelopes: list[Envelope]) -> list[Envelope]:
        for envelope in envelopes:
            if envelope["type"] == "order.status_changed":
                envelope["data"]["from"] = "pending"
        return envelopes


class SecondEventForRetry(PublisherFault):
    """An idempotent replay that publishes the order again, as a new event."""

    name, requirement, select = "second-event-for-a-retry", "EVT-004", ("EVT-004",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        broker = services.broker
        assert broker is not None, "event faults need a broker (set NATS_URL)"
        place_order = services.orders.place_order

        async def place(
            customer: Any, body: dict[str, Any], idempotency_key: Any = None, **how: Any
        ) -> Any:
            placed = await place_order(customer, body, idempotency_key, **how)
            if active() and placed.replayed:
                await broker.publish(_order_placed(UUID(placed.body["id"]), customer.user_id))
            return placed

        services.orders.place_order = place  # type: ignore[method-assign]


def _order_placed(order_id: UUID, user_id: UUID) -> Envelope:
    """A schema-valid order.placed with a fresh event id, as a fault invents it."""
    line = {
        "product_id": str(uuid.uuid4()),
        "quantity": 1,
        "unit_price": {"amount": 100, "currency": "EUR"},
    }
    return envelope_of(
        Event(
            event_type="order.placed",
            aggregate_type="order",
            aggregate_id=order_id,
            payload={
                "order_id": str(order_id),
                "user_id": str(user_id),
                "status": "pending",
                "items": [line],
                "item_count": 1,
                "total": {"amount": 100, "currency": "EUR"},
                "placed_at": "2026-11-29T23:00:00Z",
            },
        ).stamped(sequence=1, request_id=current_request_id.get(), producer="orders")
    )


class EventForRefusedOrder(PublisherFault):
    """An order refused (409, out of stock) still announced as placed."""

    name, requirement, select = "event-for-a-refused-action", "EVT-003", ("EVT-003",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        broker = services.broker
        assert broker is not None, "event faults need a broker (set NATS_URL)"
        place_order = services.orders.place_order

        async def place(
            customer: Any, body: dict[str, Any], idempotency_key: Any = None, **how: Any
        ) -> Any:
            try:
                return await place_order(customer, body, idempotency_key, **how)
            except Exception:
                if active():
                    await broker.publish(_order_placed(uuid.uuid4(), customer.user_id))
                raise

        services.orders.place_order = place  # type: ignore[method-assign]


_original_publish = UnitOfWork.publish


def restore_unit_of_work() -> None:
    UnitOfWork.publish = _original_publish  # type: ignore[method-assign]


class PublishesBeforeCommit(PublisherFault):
    """Publishes an event the moment a service records it, inside its open transaction: a
    change that then rolls back (an order with a short line) has already been announced."""

    name, requirement, select = "published-before-commit", "EVT-003", ("EVT-003",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        broker = services.broker
        assert broker is not None, "event faults need a broker (set NATS_URL)"

        def publish(uow: UnitOfWork, schema: str, event: Event) -> None:
            _original_publish(uow, schema, event)
            if active():
                envelope = envelope_of(
                    event.stamped(sequence=1, request_id=current_request_id.get(), producer=schema)
                )
                # the relay's later publish of the same id is dropped by JetStream's
                # de-duplication window: for committed changes the early one is what counts
                asyncio.get_running_loop().create_task(broker.publish(envelope))

        UnitOfWork.publish = publish  # type: ignore[method-assign,assignment]


EVENT_FAULTS: list[Fault] = [
    DropsProductUpdated(),
    MoneyAsText(),
    DropsRequestIdField(),
    WrongAggregateId(),
    ForeignRequestId(),
    DuplicateWithNewId(),
    HoldsBackProductUpdated(),
    StatusJumps(),
    SecondEventForRetry(),
    EventForRefusedOrder(),
    PublishesBeforeCommit(),
]
