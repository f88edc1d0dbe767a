"""The order state machine, totals and idempotency decisions, without a database."""

from __future__ import annotations

import uuid

import pytest

from refarch.reference_impl.money import Money
from refarch.reference_impl.orders.domain import (
    TRANSITIONS,
    DuplicateProducts,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidTransition,
    Order,
    OrderLine,
    StoredOutcome,
    check_transition,
    decide_replay,
    ensure_distinct_products,
    request_fingerprint,
)
from refarch.reference_impl.orders.representation import order_document

ALLOWED = {
    ("pending", "paid"),
    ("pending", "cancelled"),
    ("paid", "shipped"),
    ("paid", "cancelled"),
    ("shipped", "delivered"),
}


@pytest.mark.parametrize("current", list(TRANSITIONS))
@pytest.mark.parametrize("target", list(TRANSITIONS))
def test_ord_state_machine_allows_exactly_the_documented_transitions(
    current: str, target: str
) -> None:
    if (current, target) in ALLOWED:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition) as refused:
            check_transition(current, target)
        assert refused.value.extensions["current_status"] == current


def line(amount: int, quantity: int) -> OrderLine:
    return OrderLine(uuid.uuid4(), "SKU-1", "Thing", quantity, Money(amount))


def test_ord_total_is_the_sum_of_line_totals_in_minor_units() -> None:
    order = Order(user_id=uuid.uuid4(), lines=(line(333, 3), line(1, 100)), shipping_address={})

    assert order.total == Money(1099)
    document = order_document(order)
    assert document["total"] == {"amount": 1099, "currency": "EUR"}
    assert [item["line_total"]["amount"] for item in document["items"]] == [999, 100]


def test_ord_duplicate_products_are_named_by_position() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()

    with pytest.raises(DuplicateProducts) as refused:
        ensure_distinct_products([first, second, first, first])

    assert [e["field"] for e in refused.value.extensions["errors"]] == [
        "items[2].product_id",
        "items[3].product_id",
    ]


def test_ord_fingerprint_ignores_key_order_but_not_values() -> None:
    body = {"items": [{"product_id": "a", "quantity": 1}], "shipping_address": {"city": "X"}}
    reordered = {"shipping_address": {"city": "X"}, "items": [{"quantity": 1, "product_id": "a"}]}
    changed = {"items": [{"product_id": "a", "quantity": 2}], "shipping_address": {"city": "X"}}

    assert request_fingerprint(body) == request_fingerprint(reordered)
    assert request_fingerprint(body) != request_fingerprint(changed)


def test_ord_idempotency_replays_a_finished_request_with_the_same_body() -> None:
    stored = StoredOutcome("h1", "done", 201, {"id": "o1"})

    replay = decide_replay(stored, "h1")

    assert (replay.status, replay.body) == (201, {"id": "o1"})


def test_ord_idempotency_refuses_another_body_even_while_in_flight() -> None:
    with pytest.raises(IdempotencyKeyReused):
        decide_replay(StoredOutcome("h1", "done", 201, {}), "h2")
    with pytest.raises(IdempotencyKeyReused):
        decide_replay(StoredOutcome("h1", "in_flight"), "h2")


def test_ord_idempotency_same_body_in_flight_is_a_conflict() -> None:
    with pytest.raises(IdempotencyKeyInFlight):
        decide_replay(StoredOutcome("h1", "in_flight"), "h1")
