"""A service's durable event consumer: broker messages in, one transaction per batch.

For each batch the broker delivers, every message is parsed and checked against its
schema (the AsyncAPI document's: ``event_schemas``); a message that fails can never succeed
and is set aside on the dead-letter subject at once, counted, and the rest go on (SEC-013).
The valid events are applied together, in one transaction, by the service's
``apply(uow, events)``, which de-duplicates by event id (delivery is at least once). Only
after the commit does the broker acknowledge them: a consumer killed before that gets the
batch redelivered, and the de-duplication makes the second delivery change nothing. If the
batch fails, its events are applied again one by one, each in a savepoint, so the one that
fails is retried (and set aside after MAX_ATTEMPTS deliveries) while the others pass.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import orjson

from refarch.reference_impl.broker import Delivery, EventBroker, Outcome, Settle
from refarch.reference_impl.events import Event, MalformedEvent, event_from_envelope
from refarch.reference_impl.unit_of_work import UnitOfWork

__all__ = ["MAX_ATTEMPTS", "EventConsumer"]

log = logging.getLogger("refarch.reference_impl.event_consumer")

#: Deliveries after which an event the service keeps failing on is set aside.
MAX_ATTEMPTS = 5
Apply = Callable[[UnitOfWork, Sequence[Event]], Awaitable[object]]
#: validate(body, subject=...) raises MalformedEvent when the body breaks its schema.
Validate = Callable[..., None]

#: The database or the link to it failed (not the event): the whole batch is retried.
_CONNECTION_ERRORS = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
)


class EventConsumer:
    def __init__(
        self,
        name: str,
        pool: asyncpg.Pool,
        apply: Apply,
        validate: Validate,
        *,
        subject_prefix: str = "refarch",
        event_types: Sequence[str] = (),
    ) -> None:
        self.name = name
        #: The types it receives (the AsyncAPI document's receive operations); all if empty.
        self.event_types = tuple(event_types)
        self._prefix = subject_prefix
        self._pool = pool
        self._apply = apply
        self._validate = validate
        #: Messages this process set aside since it started (the /metrics counter).
        self.dead_letters = 0
        self.applied = 0

    async def run(self, broker: EventBroker) -> None:
        """Consume until cancelled (the broker's loop rides out outages)."""
        await broker.consume(self.name, self.handle_batch, event_types=self.event_types)

    def _parse(self, delivery: Delivery) -> Event:
        try:
            envelope = orjson.loads(delivery.body)
        except orjson.JSONDecodeError as exc:
            raise MalformedEvent(delivery.subject, f"body is not JSON: {exc}") from None
        self._validate(envelope, subject=delivery.subject)
        try:
            return event_from_envelope(envelope)
        except (KeyError, ValueError, TypeError) as exc:  # the schema should have said so
            raise MalformedEvent(delivery.subject, f"envelope unreadable: {exc!r}") from None

    def _set_aside(self, delivery: Delivery, reason: str) -> Settle:
        self.dead_letters += 1
        return Settle(Outcome.DEAD_LETTER, reason)

    async def handle_batch(self, deliveries: Sequence[Delivery]) -> list[Settle]:
        settles: list[Settle | None] = [None] * len(deliveries)
        events: list[tuple[int, Event]] = []
        for index, delivery in enumerate(deliveries):
            try:
                events.append((index, self._parse(delivery)))
            except MalformedEvent as exc:
                settles[index] = self._set_aside(delivery, str(exc))
        if events:
            try:
                async with UnitOfWork(self._pool) as uow:
                    await self._apply(uow, [event for _, event in events])
                    await uow.commit()
                for index, _ in events:
                    settles[index] = Settle(Outcome.ACK)
            except _CONNECTION_ERRORS:
                raise  # the whole batch is retried
            except Exception:
                # Find the event at fault: one by one, each alone in a savepoint.
                async with UnitOfWork(self._pool) as uow:
                    for index, event in events:
                        settles[index] = await self._apply_one(uow, deliveries[index], event)
                    await uow.commit()
        self.applied += sum(1 for s in settles if s is not None and s.outcome is Outcome.ACK)
        return [settle or Settle(Outcome.RETRY) for settle in settles]

    async def _apply_one(self, uow: UnitOfWork, delivery: Delivery, event: Event) -> Settle:
        try:
            async with uow.connection.transaction():  # a savepoint: one failure stays alone
                await self._apply(uow, [event])
        except _CONNECTION_ERRORS:
            raise  # the whole batch is retried
        except MalformedEvent as exc:
            return self._set_aside(delivery, str(exc))
        except Exception as exc:
            log.error(
                "consumer %s failed on event %s (%s), delivery %d of %d",
                self.name,
                event.id,
                event.event_type,
                delivery.attempt,
                MAX_ATTEMPTS,
                exc_info=True,
            )
            if delivery.attempt >= MAX_ATTEMPTS:
                return self._set_aside(delivery, f"{type(exc).__name__}: {exc}")
            return Settle(Outcome.RETRY, f"{type(exc).__name__}: {exc}")
        return Settle(Outcome.ACK)
