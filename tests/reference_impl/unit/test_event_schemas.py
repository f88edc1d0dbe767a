"""SEC-013: every event the notifications consumer handles is checked against its schema."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from refarch.reference_impl.events import Event
from refarch.reference_impl.notifications.domain import (
    EVENT_SCHEMAS,
    MalformedEvent,
    notification_for,
    validate_event,
)
from refarch.reference_impl.notifications.recipients import recipient_change_for

USER, ORDER = str(uuid.uuid4()), str(uuid.uuid4())

VALID: dict[str, dict[str, Any]] = {
    "user.registered": {"user_id": USER, "first_name": "Ada", "email": "ada@example.test"},
    "user.updated": {"user_id": USER, "email": "ada@example.test"},
    "user.deleted": {"user_id": USER},
    "order.cancelled": {"order_id": ORDER, "user_id": USER, "from": "pending"},
    "order.placed": {
        "order_id": ORDER,
        "user_id": USER,
        "total": {"amount": 1205, "currency": "EUR"},
        "item_count": 2,
    },
    "order.status_changed": {
        "order_id": ORDER,
        "user_id": USER,
        "from": "pending",
        "status": "paid",
    },
}

#: (event type, field, a value of the wrong kind)
WRONG: list[tuple[str, str, Any]] = [
    ("user.registered", "user_id", "not-a-uuid"),
    ("user.registered", "user_id", 42),
    ("user.registered", "first_name", ""),
    ("user.registered", "email", "not an address"),
    ("user.updated", "email", None),
    ("user.deleted", "user_id", "42"),
    ("order.cancelled", "from", "lost"),
    ("order.placed", "order_id", None),
    ("order.placed", "user_id", "123"),
    ("order.placed", "item_count", "2"),
    ("order.placed", "item_count", 0),
    ("order.placed", "item_count", True),
    ("order.placed", "total", {"amount": "12.05", "currency": "EUR"}),
    ("order.placed", "total", {"amount": 1205, "currency": "euro"}),
    ("order.placed", "total", 1205),
    ("order.status_changed", "order_id", ""),
    ("order.status_changed", "from", "lost"),
    ("order.status_changed", "status", "PAID"),
]

REQUIRED = [
    (event_type, name)
    for event_type, schema in EVENT_SCHEMAS.items()
    for name, field in schema.items()
    if field.required
]


def event(event_type: str, payload: Any) -> Event:
    return Event(event_type, "order", uuid.uuid4(), payload)


def reason(event_type: str, payload: Any) -> str:
    with pytest.raises(MalformedEvent) as raised:
        validate_event(event(event_type, payload))
    assert raised.value.event_type == event_type
    return raised.value.reason


def test_sec_013_every_handled_event_type_has_a_schema_and_a_valid_example() -> None:
    assert set(EVENT_SCHEMAS) == set(VALID)


@pytest.mark.parametrize("event_type", sorted(VALID))
def test_sec_013_a_valid_payload_passes(event_type: str) -> None:
    validate_event(event(event_type, VALID[event_type]))

    handled = event(event_type, VALID[event_type])
    # every schema'd event either becomes a notification or changes a recipient's address
    assert notification_for(handled) is not None or recipient_change_for(handled) is not None


@pytest.mark.parametrize(("event_type", "name"), REQUIRED)
def test_sec_013_a_missing_required_field_is_named(event_type: str, name: str) -> None:
    payload = {key: value for key, value in VALID[event_type].items() if key != name}

    assert reason(event_type, payload) == f"{name} is missing"


@pytest.mark.parametrize(("event_type", "name", "value"), WRONG)
def test_sec_013_a_field_of_the_wrong_type_is_named(event_type: str, name: str, value: Any) -> None:
    payload = {**VALID[event_type], name: value}

    assert reason(event_type, payload).startswith(f"{name} must be ")


def test_sec_013_every_problem_is_reported_at_once() -> None:
    problems = reason("order.status_changed", {"user_id": USER, "status": "lost"})

    assert problems == (
        "order_id is missing; from is missing; status must be one of pending, paid, shipped,"
        " delivered, cancelled"
    )


def test_sec_013_a_payload_that_is_not_an_object_is_malformed() -> None:
    assert reason("user.registered", ["user_id"]) == "payload is not a JSON object"


def test_sec_013_optional_fields_may_be_left_out_and_extra_fields_are_tolerated() -> None:
    validate_event(event("user.registered", {"user_id": USER, "locale": "en"}))


def test_sec_013_notification_for_refuses_a_malformed_event() -> None:
    with pytest.raises(MalformedEvent, match=r"order\.placed: user_id must be a UUID string"):
        notification_for(event("order.placed", {**VALID["order.placed"], "user_id": "me"}))


def test_sec_013_unknown_event_types_are_not_malformed() -> None:
    source = event("catalog.price_changed", {"anything": None})

    validate_event(source)
    assert notification_for(source) is None
