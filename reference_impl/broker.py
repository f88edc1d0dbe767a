"""The port to the message broker: what the outbox relay and the event consumers need.

The reference implementation talks to NATS JetStream through ``jetstream.py``; an adapter
for another broker (Kafka, SQS, RabbitMQ: ADR 0036) implements this Protocol and nothing
else changes. Two operations:

* ``publish(envelope)`` returns only once the broker has stored the message durably, so the
  relay marks an event published only after that; the event id travels as the message id,
  so a broker with a de-duplication window drops a relay's retry.
* ``consume(name, handle)`` delivers to a *durable* consumer (its position survives
  restarts) in batches until cancelled, and settles each message as the handler says:
  acknowledged (done), retried later, or set aside on a dead-letter subject.

Standard library only (plus the events module).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["BatchHandler", "BrokerUnavailable", "Delivery", "EventBroker", "Outcome", "Settle"]


class BrokerUnavailable(ConnectionError):
    """The broker did not confirm (down, unreachable, timed out): try again later."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as a consumer receives it."""

    subject: str
    body: bytes
    attempt: int  # 1 on the first delivery, 2 on the first redelivery, ...


class Outcome(enum.Enum):
    ACK = "ack"  # applied (or already applied before): never deliver again
    RETRY = "retry"  # failed for now: deliver again later
    DEAD_LETTER = "dead_letter"  # can never succeed: set aside for an operator


@dataclass(frozen=True, slots=True)
class Settle:
    outcome: Outcome
    reason: str = ""


#: Handles one batch; returns one Settle per delivery, in order. Raising settles every
#: delivery of the batch as RETRY (e.g. the database is down).
BatchHandler = Callable[[Sequence[Delivery]], Awaitable[Sequence[Settle]]]


class EventBroker(Protocol):
    async def publish(self, envelope: Mapping[str, Any]) -> None:
        """Store one event envelope durably; raise BrokerUnavailable if not confirmed."""
        ...

    async def publish_many(self, envelopes: Sequence[Mapping[str, Any]]) -> None:
        """Store several, in this order; raise BrokerUnavailable unless all are confirmed."""
        ...

    async def consume(
        self, name: str, handle: BatchHandler, *, event_types: Sequence[str] = ()
    ) -> None:
        """Deliver the events of ``event_types`` (every type when empty) to the durable
        consumer ``name`` until cancelled; survives broker outages."""
        ...

    async def close(self) -> None: ...
