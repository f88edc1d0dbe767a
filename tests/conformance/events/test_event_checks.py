"""The pure event checks, fed the AsyncAPI document's own examples and broken copies of them."""

from __future__ import annotations

import copy
import json
from typing import Any

from refarch.conformance.events.checks import (
    changed_id_problems,
    envelope_problems,
    order_lifecycle_problems,
    sequence_problems,
)
from refarch.conformance.events.log import ReceivedEvent
from refarch.event_contract import event_contract

CONTRACT = event_contract()


def _example(kind: str, index: int = 0) -> dict[str, Any]:
    return copy.deepcopy(dict(CONTRACT[kind].examples[index]["payload"]))


def _received(
    body: dict[str, Any], *, subject: str = "", msg_id: str | None = None
) -> ReceivedEvent:
    raw = json.dumps(body).encode()
    return ReceivedEvent(
        index=0,
        subject=subject or f"refarch.{body.get('type')}",
        headers={"Nats-Msg-Id": body.get("id", "") if msg_id is None else msg_id},
        raw=raw,
        body=body,
        stream_sequence=1,
        delivered=1,
    )


def _order_event(kind: str, sequence: int, **data: Any) -> ReceivedEvent:
    body = _example(kind)
    body.update(id=f"00000000-0000-4000-8000-00000000000{sequence}", sequence=sequence)
    body["data"].update(data)
    return _received(body)


def test_every_example_of_the_contract_passes_the_envelope_check() -> None:
    for declared in CONTRACT:
        for example in declared.examples:
            event = _received(copy.deepcopy(dict(example["payload"])))
            assert envelope_problems(event, CONTRACT, "refarch") == [], declared.type


def test_a_missing_envelope_field_is_a_schema_problem() -> None:
    body = _example("order.placed")
    del body["request_id"]

    [problem] = envelope_problems(_received(body), CONTRACT, "refarch")

    assert "order.placed breaks its schema" in problem and "request_id" in problem


def test_money_as_a_string_is_a_schema_problem() -> None:
    body = _example("order.placed")
    body["data"]["total"]["amount"] = "9998"

    [problem] = envelope_problems(_received(body), CONTRACT, "refarch")

    assert "/data/total/amount" in problem


def test_the_wrong_subject_an_unknown_type_and_a_non_json_body() -> None:
    placed = _received(_example("order.placed"), subject="refarch.orders")
    unknown = _received({**_example("order.placed"), "type": "order.shipped"})
    garbage = ReceivedEvent(0, "refarch.order.placed", {}, b"{", None, 1, 1)

    assert envelope_problems(placed, CONTRACT, "refarch") == [
        "order.placed arrived on refarch.orders, not on refarch.order.placed"
    ]
    assert envelope_problems(unknown, CONTRACT, "refarch") == [
        "type 'order.shipped' is not declared in the AsyncAPI document"
    ]
    assert "not a JSON object" in envelope_problems(garbage, CONTRACT, "refarch")[0]


def test_sequences_must_run_without_gaps_in_arrival_order() -> None:
    one, two, three = (_order_event("order.status_changed", n) for n in (1, 2, 3))

    assert sequence_problems([one, two, three]) == []
    assert sequence_problems([one, two, two, three]) == []  # a redelivery is no new position
    assert "has sequence 3 where 2 was next" in sequence_problems([one, three])[0]
    assert "has sequence 2 where 4 was next" in sequence_problems([one, three, two])[1]


def test_one_position_published_under_two_ids() -> None:
    first = _order_event("order.placed", 1)
    again = _received({**first.envelope, "id": "11111111-1111-4111-8111-111111111111"})

    [problem] = changed_id_problems([first, again])

    assert "sequence 1 was published with 2 different ids" in problem
    assert changed_id_problems([first, first]) == []


def test_an_orders_life_cycle() -> None:
    placed = _order_event("order.placed", 1)
    paid = _order_event("order.status_changed", 2, **{"from": "pending", "status": "paid"})
    shipped = _order_event("order.status_changed", 3, **{"from": "paid", "status": "shipped"})
    skipped = _order_event("order.status_changed", 3, **{"from": "pending", "status": "shipped"})
    cancelled = _order_event("order.cancelled", 3, **{"from": "paid"})
    after = _order_event("order.status_changed", 4, **{"from": "cancelled", "status": "shipped"})

    assert order_lifecycle_problems([placed, paid, shipped]) == []
    assert order_lifecycle_problems([placed, paid, cancelled]) == []
    assert "while the order was paid" in order_lifecycle_problems([placed, paid, skipped])[0]
    assert order_lifecycle_problems([paid]) == ["order.status_changed before order.placed"]
    assert order_lifecycle_problems([placed, paid, cancelled, after]) == [
        "order.status_changed after order.cancelled"
    ]
