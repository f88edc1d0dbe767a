"""SEC-013: every event a consumer applies is checked against its AsyncAPI schema.

The schemas come from specs/asyncapi/v1.yaml (nothing in the code restates them); the
valid bodies here are the document's own examples.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from refarch.event_contract import event_contract
from refarch.reference_impl.event_schemas import validate_envelope
from refarch.reference_impl.events import EVENT_TYPES, MalformedEvent, event_from_envelope
from refarch.reference_impl.notifications.domain import notification_for

EXAMPLES = [
    pytest.param(copy.deepcopy(dict(example["payload"])), id=f"{kind.type}-{example['name']}")
    for kind in event_contract()
    for example in kind.examples
]


def example(event_type: str) -> dict[str, Any]:
    return copy.deepcopy(dict(event_contract()[event_type].examples[0]["payload"]))


def reason(body: Any, **kwargs: Any) -> str:
    with pytest.raises(MalformedEvent) as raised:
        validate_envelope(body, **kwargs)
    return raised.value.reason


def test_sec_013_the_code_emits_exactly_the_declared_event_types() -> None:
    assert set(EVENT_TYPES) == set(event_contract().types)
    for kind in event_contract():
        assert EVENT_TYPES[kind.type].producer == kind.producer
        assert EVENT_TYPES[kind.type].aggregate_type == kind.aggregate_type


@pytest.mark.parametrize("body", EXAMPLES)
def test_sec_013_every_example_of_the_contract_passes(body: dict[str, Any]) -> None:
    validate_envelope(body, subject=f"refarch.{body['type']}")

    assert event_from_envelope(body).event_type == body["type"]


#: (event type, data field, a value of the wrong kind)
WRONG: list[tuple[str, str, Any]] = [
    ("user.registered", "user_id", "not-a-uuid"),
    ("user.registered", "user_id", 42),
    ("order.placed", "order_id", None),
    ("order.placed", "item_count", "2"),
    ("order.placed", "item_count", True),
    ("order.placed", "total", {"amount": "12.05", "currency": "EUR"}),
    ("order.placed", "total", 1205),
    ("order.status_changed", "from", "lost"),
    ("order.status_changed", "status", "PAID"),
    ("order.cancelled", "reason", "bored"),
    ("product.stock_changed", "reason", "theft"),
]


@pytest.mark.parametrize(("event_type", "name", "value"), WRONG)
def test_sec_013_a_field_of_the_wrong_kind_is_named(event_type: str, name: str, value: Any) -> None:
    body = example(event_type)
    body["data"][name] = value

    assert f"/data/{name}" in reason(body)


@pytest.mark.parametrize("name", ["id", "sequence", "aggregate_id", "request_id", "data"])
def test_sec_013_a_missing_envelope_field_is_named(name: str) -> None:
    body = example("order.placed")
    del body[name]

    assert f'"{name}" is a required property' in reason(body)


def test_sec_013_a_body_that_is_not_an_object_or_of_an_unknown_type_is_malformed() -> None:
    assert reason(["order.placed"]) == "the body is not a JSON object"
    body = example("order.placed") | {"type": "order.teleported"}
    assert reason(body) == "type is not an event of the AsyncAPI document"


def test_sec_013_an_event_on_the_wrong_subject_is_malformed() -> None:
    body = example("order.placed")

    assert reason(body, subject="refarch.order.cancelled") == (
        "arrived on refarch.order.cancelled, expected refarch.order.placed"
    )
    validate_envelope(body, subject="shop.order.placed", prefix="shop")


def test_sec_013_extra_fields_are_tolerated() -> None:
    body = example("user.registered") | {"trace": "abc"}
    body["data"]["locale"] = "en"

    validate_envelope(body)


def test_ntf_a_cancellation_tells_the_customer_their_order_is_cancelled() -> None:
    body = example("order.cancelled")

    notification = notification_for(event_from_envelope(body))

    assert notification is not None
    assert notification.type == "order_status_changed"
    assert notification.data == {"order_id": body["data"]["order_id"], "status": "cancelled"}
