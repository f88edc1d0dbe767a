"""The orders domain: the order, its lines, the status state machine and idempotency rules.

Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from refarch.reference_impl.errors import Conflict, InvalidInput, NotFound
from refarch.reference_impl.money import PLATFORM_CURRENCY, Money

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "DuplicateProducts",
    "IdempotencyKeyInFlight",
    "IdempotencyKeyReused",
    "IdempotentReplay",
    "InvalidTransition",
    "NotCancellable",
    "Order",
    "OrderLine",
    "OrderNotFound",
    "StoredOutcome",
    "TooManyPendingOrders",
    "check_transition",
    "decide_replay",
    "ensure_distinct_products",
    "request_fingerprint",
]

STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")

#: The order state machine (docs: orders chapter). Anything not listed is refused with 409.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered"}),
    "delivered": frozenset(),
    "cancelled": frozenset(),
}


class OrderNotFound(NotFound):
    """Also the answer for someone else's order: existence must not leak (BOLA)."""

    def __init__(self) -> None:
        super().__init__("No order with this id.")


class InvalidTransition(Conflict):
    def __init__(self, current: str, target: str) -> None:
        allowed = sorted(TRANSITIONS[current])
        super().__init__(
            f"An order that is {current} cannot become {target}.",
            current_status=current,
            allowed_transitions=allowed,
        )


class NotCancellable(Conflict):
    def __init__(self, current: str) -> None:
        super().__init__(
            f"Only pending orders can be cancelled; this order is {current}.",
            current_status=current,
        )


class TooManyPendingOrders(Conflict):
    """Stock hoarding: every pending order holds stock until it is paid or cancelled."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} unpaid pending orders; pay or cancel one before placing"
            " another.",
            pending_limit=limit,
        )


class DuplicateProducts(InvalidInput):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            "Each product may appear only once; add up the quantities instead.",
            [{"field": name, "message": "duplicate product_id"} for name in fields],
        )


class IdempotencyKeyReused(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was already used with a different request body.",
            [{"field": "idempotency_key", "message": "reused with a different body"}],
        )


class IdempotencyKeyInFlight(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being processed; retry shortly."
        )


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(current, target)


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_id: UUID
    sku: str
    name: str
    quantity: int
    unit_price: Money

    @property
    def line_total(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True, slots=True)
class Order:
    user_id: UUID
    lines: tuple[OrderLine, ...]
    shipping_address: dict[str, Any]
    status: str = "pending"
    id: UUID = field(default_factory=uuid.uuid4)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # v2's shipping choice; v1 orders ship standard, free (orders/shipping.py)
    shipping_method: str = "standard"
    shipping_amount: int = 0

    @property
    def total(self) -> Money:
        """The sum of the lines (v1's ``total``, v2's ``totals.subtotal``), computed from
        the lines, never taken from the client."""
        total = Money(0, self.lines[0].unit_price.currency if self.lines else PLATFORM_CURRENCY)
        for line in self.lines:
            total = total + line.line_total
        return total

    @property
    def shipping_cost(self) -> Money:
        return Money(self.shipping_amount, self.total.currency)

    @property
    def amount_due(self) -> Money:
        """What the customer pays: the lines plus shipping (v2's ``totals.total``)."""
        return self.total + self.shipping_cost


def ensure_distinct_products(product_ids: list[UUID]) -> None:
    """Refuse an order naming a product twice; the error names the repeated ``items``."""
    seen: set[UUID] = set()
    duplicates: list[str] = []
    for index, product_id in enumerate(product_ids):
        if product_id in seen:
            duplicates.append(f"items[{index}].product_id")
        seen.add(product_id)
    if duplicates:
        raise DuplicateProducts(duplicates)


# --- idempotency --------------------------------------------------------------------------


def request_fingerprint(body: Any) -> str:
    """SHA-256 of the canonical JSON body: key order and whitespace do not change it."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredOutcome:
    """What orders.idempotency_keys holds for one (user, key)."""

    request_hash: str
    state: str  # "in_flight" | "done"
    response_status: int | None = None
    response_body: Any = None


@dataclass(frozen=True, slots=True)
class IdempotentReplay:
    status: int
    body: Any


def decide_replay(stored: StoredOutcome, request_hash: str) -> IdempotentReplay:
    """A retry of a key already claimed: replay it, or say why not.

    Different body → 422 (the key identifies one intent; reusing it for another is a client
    bug); same body still running → 409 (retry later); same body done → the original answer.
    """
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused()
    if stored.state != "done" or stored.response_status is None:
        raise IdempotencyKeyInFlight()
    return IdempotentReplay(stored.response_status, stored.response_body)
