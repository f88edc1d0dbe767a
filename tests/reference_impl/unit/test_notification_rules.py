"""Which event becomes which notification."""

from __future__ import annotations

import uuid

from refarch.reference_impl.events import Event
from refarch.reference_impl.notifications.domain import notification_for


def event(event_type: str, **payload: object) -> Event:
    return Event(event_type, "order", uuid.uuid4(), dict(payload))


def test_ntf_events_map_to_their_notification_types() -> None:
    user, order = str(uuid.uuid4()), str(uuid.uuid4())
    welcome = notification_for(event("user.registered", user_id=user, first_name="Ada"))
    placed = notification_for(
        event(
            "order.placed",
            user_id=user,
            order_id=order,
            item_count=2,
            total={"amount": 1205, "currency": "EUR"},
        )
    )
    changed = notification_for(
        event(
            "order.status_changed",
            user_id=user,
            order_id=order,
            status="paid",
            **{"from": "pending"},
        )
    )

    assert welcome is not None and (welcome.type, welcome.data) == ("welcome", {})
    assert placed is not None and placed.type == "order_confirmation"
    assert "12.05 EUR" in placed.body
    assert changed is not None and changed.data == {"order_id": order, "status": "paid"}


def test_ntf_notification_carries_the_event_id_for_deduplication() -> None:
    source = event("user.registered", user_id=str(uuid.uuid4()))

    made = notification_for(source)

    assert made is not None and made.event_id == source.id


def test_ntf_unknown_events_are_ignored() -> None:
    assert notification_for(event("catalog.price_changed", product_id="p")) is None


def test_ntf_a_cancellation_is_announced_as_a_status_change() -> None:
    order = str(uuid.uuid4())
    cancelled = notification_for(
        event(
            "order.cancelled",
            user_id=str(uuid.uuid4()),
            order_id=order,
            reason="customer",
            **{"from": "pending"},
        )
    )

    assert cancelled is not None and cancelled.type == "order_status_changed"
    assert cancelled.data == {"order_id": order, "status": "cancelled"}
