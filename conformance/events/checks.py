"""Judge recorded events against the AsyncAPI contract. Pure functions: each returns the
problems it found, in words a report reader understands, and an empty list when all is well.

Each check belongs to one requirement, so a test can fail naming the right one:
``envelope_problems`` (EVT-001/EVT-002), ``sequence_problems`` (EVT-005),
``changed_id_problems`` (EVT-006), ``order_lifecycle_problems`` (EVT-007).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from refarch.conformance.events.log import ReceivedEvent
from refarch.event_contract import EventContract

__all__ = [
    "changed_id_problems",
    "distinct",
    "envelope_problems",
    "order_lifecycle_problems",
    "sequence_problems",
]

#: pending → paid → shipped → delivered; each status_changed moves exactly one step.
FORWARD = {"pending": "paid", "paid": "shipped", "shipped": "delivered"}
CANCELLABLE = ("pending", "paid")


def distinct(events: Iterable[ReceivedEvent]) -> list[ReceivedEvent]:
    """The first delivery of each event id, in arrival order (at least once means repeats)."""
    seen: set[str] = set()
    found = []
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            found.append(event)
    return found


def envelope_problems(event: ReceivedEvent, contract: EventContract, prefix: str) -> list[str]:
    """The body is a declared event valid against its schema, on its own subject, with the
    event id as its NATS message id."""
    if not isinstance(event.body, dict):
        return [f"the body of the message on {event.subject} is not a JSON object"]
    declared = contract.get(event.type)
    if declared is None:
        return [f"type {event.type!r} is not declared in the AsyncAPI document"]
    problems = [
        f"{event.type} breaks its schema at {p}" for p in declared.schema_errors(event.body)
    ]
    if event.subject != declared.subject(prefix):
        problems.append(
            f"{event.type} arrived on {event.subject}, not on {declared.subject(prefix)}"
        )
    message_id = event.headers.get("Nats-Msg-Id")
    if message_id != event.id:
        problems.append(f"header Nats-Msg-Id is {message_id!r}, not the event id {event.id!r}")
    return problems


def sequence_problems(events: Sequence[ReceivedEvent], first: int = 1) -> list[str]:
    """The events of one aggregate, in arrival order, number ``first``, ``first``+1, …
    without gaps or repeats."""
    problems = []
    expected = first
    for event in distinct(events):
        sequence = event.envelope.get("sequence")
        if sequence != expected:
            problems.append(
                f"{event.type} (id {event.id}) has sequence {sequence!r} where {expected} was "
                "next for its aggregate"
            )
            if isinstance(sequence, int):
                expected = sequence
        expected += 1
    return problems


def changed_id_problems(events: Iterable[ReceivedEvent]) -> list[str]:
    """One change, one id: two messages for the same aggregate and sequence must carry the
    same event id (a redelivery or relay retry is the same event, not a new one)."""
    by_position: dict[tuple[str, str, Any], set[str]] = {}
    for event in events:
        aggregate_type, aggregate_id = event.aggregate
        key = (aggregate_type, aggregate_id, event.envelope.get("sequence"))
        by_position.setdefault(key, set()).add(event.id)
    return [
        f"{kind} {aggregate} sequence {sequence} was published with {len(ids)} different ids "
        f"({', '.join(sorted(ids))})"
        for (kind, aggregate, sequence), ids in by_position.items()
        if len(ids) > 1
    ]


def order_lifecycle_problems(events: Sequence[ReceivedEvent]) -> list[str]:
    """One order's events, in arrival order, follow its state machine: order.placed first,
    then one step forward per order.status_changed, or one order.cancelled and nothing more."""
    problems = []
    status: str | None = None
    for event in distinct(events):
        data = event.data
        if event.type == "order.placed":
            if status is not None:
                problems.append(f"order.placed after the order was already {status}")
            status = "pending"
        elif status is None:
            problems.append(f"{event.type} before order.placed")
            status = str(data.get("status") or "")
        elif status == "cancelled":
            problems.append(f"{event.type} after order.cancelled")
        elif event.type == "order.status_changed":
            if data.get("from") != status or data.get("status") != FORWARD.get(status):
                problems.append(
                    f"order.status_changed {data.get('from')!r} → {data.get('status')!r} while "
                    f"the order was {status} (the next step is {FORWARD.get(status)!r})"
                )
            status = str(data.get("status"))
        elif event.type == "order.cancelled":
            if data.get("from") != status or status not in CANCELLABLE:
                problems.append(
                    f"order.cancelled from {data.get('from')!r} while the order was {status}"
                )
            status = "cancelled"
    return problems
