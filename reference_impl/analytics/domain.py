"""The analytics domain: which event becomes which fact, and what a report asks for.

Standard library only. The store keeps *facts* (an order was placed with these lines; an
order reached this status at that time; a product's details or stock as of sequence n),
never running totals, and every report aggregates the facts when it is asked. That is
what makes the figures exact under at-least-once, late and out-of-order delivery:

* applying a fact twice is refused by the event-id ledger (and would change nothing anyway:
  every fact has a natural key, such as (order, status));
* facts about one order commute: ``order.cancelled`` arriving before ``order.placed``
  stores the same two rows as the other way round;
* values that are overwritten (a product's price, its stock, an account's role) are kept
  with the per-aggregate ``sequence`` of the event that set them, and an older event
  never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from refarch.reference_impl.errors import InvalidInput

__all__ = [
    "GRANULARITIES",
    "MAX_RANGE_DAYS",
    "CustomerFact",
    "CustomerFigures",
    "EventRecord",
    "Fact",
    "Freshness",
    "Funnel",
    "LowStockRow",
    "OrderLineFact",
    "OrderPlacedFact",
    "OrderStateFact",
    "ProductFact",
    "Progress",
    "ReportRange",
    "SalesRow",
    "StockFact",
    "TopProductRow",
    "event_record",
    "facts_of",
    "ratio",
    "report_range",
]

GRANULARITIES = ("day", "week", "month")
#: Two years of days: a report over a longer range belongs in a warehouse query (ADR 0047).
MAX_RANGE_DAYS = 731


@dataclass(frozen=True, slots=True)
class EventRecord:
    """The envelope fields the ledger keeps for every applied event."""

    id: UUID
    type: str
    aggregate_id: UUID
    sequence: int
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class OrderLineFact:
    product_id: UUID
    quantity: int
    unit_amount: int


@dataclass(frozen=True, slots=True)
class OrderPlacedFact:
    order_id: UUID
    user_id: UUID
    placed_at: datetime
    currency: str
    total_amount: int
    lines: tuple[OrderLineFact, ...]


@dataclass(frozen=True, slots=True)
class OrderStateFact:
    """An order reached ``status`` (paid, shipped, delivered or cancelled) at ``at``."""

    order_id: UUID
    status: str
    from_status: str
    at: datetime
    reason: str | None  # cancellations only: customer | admin | expired


@dataclass(frozen=True, slots=True)
class CustomerFact:
    """What one user event says about an account; None means "this event does not say"."""

    user_id: UUID
    sequence: int
    registered_at: datetime | None
    role: str | None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ProductFact:
    product_id: UUID
    sequence: int
    sku: str | None  # only product.created carries it
    name: str
    category_id: UUID | None
    price_amount: int
    currency: str


@dataclass(frozen=True, slots=True)
class StockFact:
    product_id: UUID
    sequence: int
    stock: int


Fact = OrderPlacedFact | OrderStateFact | CustomerFact | ProductFact | StockFact


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _uuid_or_none(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


def event_record(envelope: Mapping[str, Any]) -> EventRecord:
    """The ledger entry of a (schema-valid) envelope."""
    return EventRecord(
        id=UUID(envelope["id"]),
        type=envelope["type"],
        aggregate_id=UUID(envelope["aggregate_id"]),
        sequence=int(envelope["sequence"]),
        occurred_at=_moment(envelope["occurred_at"]),
    )


def _lines(items: list[Mapping[str, Any]]) -> tuple[OrderLineFact, ...]:
    return tuple(
        OrderLineFact(UUID(item["product_id"]), int(item["quantity"]), item["unit_price"]["amount"])
        for item in items
    )


def facts_of(envelope: Mapping[str, Any]) -> list[Fact]:
    """The facts one schema-valid envelope contributes (none for types analytics ignores)."""
    kind, data = envelope["type"], envelope["data"]
    sequence, at = int(envelope["sequence"]), _moment(envelope["occurred_at"])
    if kind == "order.placed":
        return [
            OrderPlacedFact(
                order_id=UUID(data["order_id"]),
                user_id=UUID(data["user_id"]),
                placed_at=_moment(data["placed_at"]),
                currency=data["total"]["currency"],
                total_amount=data["total"]["amount"],
                lines=_lines(data["items"]),
            )
        ]
    if kind == "order.status_changed":
        order_id = UUID(data["order_id"])
        return [OrderStateFact(order_id, data["status"], data["from"], at, None)]
    if kind == "order.cancelled":
        order_id = UUID(data["order_id"])
        return [OrderStateFact(order_id, "cancelled", data["from"], at, data["reason"])]
    if kind == "user.registered":
        return [CustomerFact(UUID(data["user_id"]), sequence, at, data["role"])]
    if kind == "user.updated":
        return [CustomerFact(UUID(data["user_id"]), sequence, None, data["role"])]
    if kind == "user.deleted":
        return [CustomerFact(UUID(data["user_id"]), sequence, None, None, deleted=True)]
    if kind in ("product.created", "product.updated"):
        product_id = UUID(data["product_id"])
        facts: list[Fact] = [
            ProductFact(
                product_id,
                sequence,
                data.get("sku"),
                data["name"],
                _uuid_or_none(data.get("category")),
                data["price"]["amount"],
                data["price"]["currency"],
            )
        ]
        if kind == "product.created":
            facts.append(StockFact(product_id, sequence, int(data["stock"])))
        return facts
    if kind == "product.stock_changed":
        return [StockFact(UUID(data["product_id"]), sequence, int(data["stock"]))]
    return []


@dataclass(frozen=True, slots=True)
class ReportRange:
    """Calendar days ``[start, end)`` in ``tz``, optionally one category."""

    start: date
    end: date
    tz: str
    category_id: UUID | None

    def bounds(self) -> tuple[datetime, datetime]:
        """The instants the range starts and ends at: midnights in ``tz`` (DST-aware)."""
        zone = ZoneInfo(self.tz)
        return (
            datetime.combine(self.start, time(), zone),
            datetime.combine(self.end, time(), zone),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "tz": self.tz,
            "category_id": None if self.category_id is None else str(self.category_id),
        }


def _date(name: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"{name} must be a calendar date such as 2026-11-01.",
            [{"field": name, "message": "not a date (YYYY-MM-DD)"}],
        ) from None


def report_range(query: Mapping[str, Any]) -> ReportRange:
    """The range a report's query asks for; InvalidInput names the parameter at fault."""
    start, end = _date("from", query["from"]), _date("to", query["to"])
    if end <= start:
        raise InvalidInput(
            "to must be a later day than from (the range is [from, to)).",
            [{"field": "to", "message": "not after from"}],
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput(
            f"The range may cover at most {MAX_RANGE_DAYS} days; ask for a shorter one.",
            [{"field": "to", "message": f"more than {MAX_RANGE_DAYS} days after from"}],
        )
    tz = str(query.get("tz") or "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{tz!r} is not an IANA time zone; use a name such as UTC or Europe/Berlin.",
            [{"field": "tz", "message": "unknown time zone"}],
        ) from None
    return ReportRange(start, end, tz, _uuid_or_none(query.get("category_id")))


# --- what the reports answer ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SalesRow:
    period_start: date
    currency: str
    orders: int
    units: int
    revenue: int
    cancellations: int
    cancelled_revenue: int
    refunds: int

    @property
    def net_revenue(self) -> int:
        return self.revenue - self.cancelled_revenue


@dataclass(frozen=True, slots=True)
class TopProductRow:
    product_id: UUID
    sku: str | None
    name: str | None
    category_id: UUID | None
    orders: int
    units: int
    revenue: int
    currency: str


@dataclass(frozen=True, slots=True)
class Funnel:
    placed: int
    paid: int
    shipped: int
    delivered: int
    cancelled: int
    placed_to_paid: float | None
    paid_to_shipped: float | None
    shipped_to_delivered: float | None


@dataclass(frozen=True, slots=True)
class CustomerFigures:
    new_customers: int
    ordered_within: int


@dataclass(frozen=True, slots=True)
class LowStockRow:
    product_id: UUID
    sku: str | None
    name: str | None
    category_id: UUID | None
    stock: int
    price_amount: int | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class Progress:
    """What the store has applied (the consumer adds the broker's side: the lag)."""

    events_applied: int
    last_event_at: datetime | None


@dataclass(frozen=True, slots=True)
class Freshness:
    """The applied side (the store) and the waiting side (the broker) of the consumer."""

    events_applied: int
    duplicates_ignored: int
    last_event_at: datetime | None
    lag_events: int | None  # None: the broker could not be asked
    lag_seconds: float


def ratio(numerator: int, denominator: int) -> float | None:
    """A conversion or share rounded to six decimals; None when there is nothing to divide."""
    return None if denominator == 0 else round(numerator / denominator, 6)
