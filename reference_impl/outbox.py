"""The outbox relay: delivers events from the producers' outboxes to the broker.

Producers write events to ``<schema>.outbox`` in the same transaction as the change
(see unit_of_work). The relay claims a batch in position order (per aggregate that is
commit order) under a per-outbox advisory lock, so of several worker processes one relays
an outbox at a time and no event overtakes an earlier one of its aggregate. It publishes
the batch to the broker (``broker.EventBroker``, JetStream in production) with the event id
as message id, and marks it published only after the broker confirmed every message. If
the broker or the connection fails, the transaction rolls back and the batch comes round
again; the broker's de-duplication window drops what it had already stored. Delivery is at
least once; consumers de-duplicate by event id.

Without a broker (tests, or an embedding that wants no broker) the relay hands each event
to an in-process consumer inside the same transaction instead.

An event the consumer fails on never holds up the rest (SEC-013): a malformed one (the
consumer raises MalformedEvent) is set aside at once, in the same transaction, by setting
``failed_at`` and ``last_error``; any other failure is counted in ``attempts`` and retried
in a later drain, and set aside after ``MAX_ATTEMPTS``. Set-aside rows are never claimed
again; an operator inspects them and replays one by clearing ``failed_at`` and ``attempts``.

It wakes on ``NOTIFY refarch_outbox`` (sent by the outbox tables' trigger on commit), with
a poll as fallback, so an event is usually delivered within milliseconds. It never lets an
error escape: a lost database connection is retried with capped exponential backoff and
the relay resumes on its own when PostgreSQL is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg

from refarch.reference_impl.broker import BrokerUnavailable, EventBroker
from refarch.reference_impl.event_schemas import validate_envelope
from refarch.reference_impl.events import Event, MalformedEvent, envelope_of
from refarch.reference_impl.unit_of_work import OUTBOX_SCHEMAS, UnitOfWork

__all__ = ["CHANNEL", "MAX_ATTEMPTS", "Consumer", "OutboxRelay"]

log = logging.getLogger("refarch.reference_impl.outbox")

CHANNEL = "refarch_outbox"
Consumer = Callable[[UnitOfWork, Event], Awaitable[object]]
#: Failures after which an event is set aside: enough to ride out a transient fault of the
#: consumer, few enough that a bug does not keep an event cycling for ever.
MAX_ATTEMPTS = 5
_MAX_ERROR_CHARS = 1000

_MAX_BACKOFF_SECONDS = 5.0
#: The database or the link to it failed (not the event): the relay reconnects instead.
_CONNECTION_ERRORS = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,  # server shutting down, backend terminated
)
#: asyncpg encodes an ``interval`` parameter only from a timedelta (a string is refused).
_PUBLISHED_RETENTION = datetime.timedelta(days=7)
_PRUNE_EVERY_SECONDS = 3600.0


def _event(schema: str, row: asyncpg.Record) -> Event:
    return Event(
        event_type=row["event_type"],
        aggregate_type=row["aggregate_type"],
        aggregate_id=row["aggregate_id"],
        payload=row["payload"],
        id=row["id"],
        occurred_at=row["created_at"],
        sequence=row["sequence"],
        request_id=row["request_id"],
        producer=schema,  # each service writes its own schema's outbox
    )


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        consumer: Consumer | None = None,
        *,
        broker: EventBroker | None = None,
        validate: Callable[[Any], None] = validate_envelope,
        poll_seconds: float = 0.5,
        batch_size: int = 100,
        schemas: tuple[str, ...] = OUTBOX_SCHEMAS,
    ) -> None:
        if (consumer is None) == (broker is None):
            raise ValueError("the relay delivers to a broker or to an in-process consumer")
        self._pool = pool
        self._consume = consumer
        self._broker = broker
        self._validate = validate  # in-process: the check a broker's consumer would make
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._schemas = schemas
        self._last_prune: float | None = None

    async def relay_batch(self, schema: str) -> int:
        """Deliver up to one batch from ``schema``'s outbox; returns how many were delivered."""
        delivered, _ = await self._relay_batch(schema, set())
        return delivered

    async def _relay_batch(self, schema: str, failed: set[UUID]) -> tuple[int, int]:
        """(delivered, claimed) for one batch. Events the consumer fails on are added to
        ``failed`` and events already in it are not claimed: one drain tries each once."""
        async with UnitOfWork(self._pool) as uow:
            # One relay per outbox at a time: a second would publish later events of an
            # aggregate while the first still holds earlier ones.
            if not await uow.connection.fetchval(
                "SELECT pg_try_advisory_xact_lock(hashtext($1))", f"refarch_outbox.{schema}"
            ):
                return 0, 0
            rows = await uow.connection.fetch(
                "SELECT id, aggregate_type, aggregate_id, event_type, payload, created_at,"
                f" attempts, sequence, request_id FROM {schema}.outbox"
                " WHERE published_at IS NULL AND failed_at IS NULL AND id <> ALL($2::uuid[])"
                " ORDER BY position LIMIT $1 FOR UPDATE",
                self._batch_size,
                list(failed),
            )
            delivered = []
            if self._broker is not None:
                events = [_event(schema, row) for row in rows]
                await self._broker.publish_many([envelope_of(event) for event in events])
                delivered = [row["id"] for row in rows]
            else:
                for row in rows:
                    if await self._deliver(uow, schema, row):
                        delivered.append(row["id"])
                    else:
                        failed.add(row["id"])
            if delivered:
                await uow.connection.execute(
                    f"UPDATE {schema}.outbox SET published_at = now() WHERE id = ANY($1::uuid[])",
                    delivered,
                )
            await uow.commit()
        return len(delivered), len(rows)

    async def _deliver(self, uow: UnitOfWork, schema: str, row: asyncpg.Record) -> bool:
        """Hand one event to the consumer inside a savepoint; False if the consumer failed.

        A failing event is rolled back alone and its failure recorded, so one bad event
        never blocks the others. A lost connection is not the event's fault: it
        propagates and the relay reconnects.
        """
        event = _event(schema, row)
        assert self._consume is not None
        try:
            self._validate(envelope_of(event))
            async with uow.connection.transaction():  # nested: a savepoint
                await self._consume(uow, event)
        except (*_CONNECTION_ERRORS, BrokerUnavailable):
            raise
        except MalformedEvent as exc:
            # Retrying cannot fix the payload: set it aside now.
            await self._record_failure(uow, schema, row, str(exc), set_aside=True)
            return False
        except Exception as exc:
            attempts = row["attempts"] + 1
            log.error(
                "consumer failed on event %s (%s), attempt %d of %d",
                event.id,
                event.event_type,
                attempts,
                MAX_ATTEMPTS,
                exc_info=True,
            )
            reason = f"{type(exc).__name__}: {exc}"
            await self._record_failure(uow, schema, row, reason, set_aside=attempts >= MAX_ATTEMPTS)
            return False
        return True

    async def _record_failure(
        self, uow: UnitOfWork, schema: str, row: asyncpg.Record, reason: str, *, set_aside: bool
    ) -> None:
        reason = reason[:_MAX_ERROR_CHARS]
        await uow.connection.execute(
            f"UPDATE {schema}.outbox SET attempts = attempts + 1, last_error = $2,"
            " failed_at = CASE WHEN $3 THEN now() END WHERE id = $1",
            row["id"],
            reason,
            set_aside,
        )
        if set_aside:
            log.error(
                "event %s (%s) set aside after %d attempt(s): %s",
                row["id"],
                row["event_type"],
                row["attempts"] + 1,
                reason,
            )

    async def drain(self) -> int:
        """Deliver everything pending in every outbox; returns how many were delivered.

        Each pending event is tried once per drain; one that fails waits for the next.
        """
        delivered = 0
        for schema in self._schemas:
            failed: set[UUID] = set()
            while True:
                count, claimed = await self._relay_batch(schema, failed)
                delivered += count
                if claimed < self._batch_size:
                    break
        return delivered

    async def lag_seconds(self) -> float:
        """Age of the oldest undelivered event (0 when all are delivered): the metric to alert on.

        Set-aside events are not pending any more; dead_letter_count() reports them.
        """
        oldest = " UNION ALL ".join(
            f"SELECT min(created_at) AS created_at FROM {schema}.outbox"
            " WHERE published_at IS NULL AND failed_at IS NULL"
            for schema in self._schemas
        )
        lag = await self._pool.fetchval(
            f"SELECT coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)"
            f" FROM ({oldest}) AS oldest"
        )
        return max(0.0, float(lag))

    async def dead_letter_count(self) -> int:
        """Events set aside in every outbox, waiting for an operator: the other metric to alert on."""
        counts = " UNION ALL ".join(
            f"SELECT count(*) AS n FROM {schema}.outbox WHERE failed_at IS NOT NULL"
            for schema in self._schemas
        )
        return int(await self._pool.fetchval(f"SELECT coalesce(sum(n), 0) FROM ({counts}) AS c"))

    async def run_forever(self) -> None:
        """Relay until cancelled; survives database restarts."""
        backoff = 0.1
        while True:
            try:
                await self._listen_and_relay()
            except asyncio.CancelledError:
                raise
            except BrokerUnavailable as exc:
                # Events wait in the outbox; the API is not affected.
                log.warning("broker unavailable (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)
            except Exception:
                # Never crash the app: log, wait, reconnect. Connection loss is the usual cause.
                log.warning("outbox relay interrupted; retrying in %.1fs", backoff, exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)
            else:  # pragma: no cover - _listen_and_relay only returns by raising
                backoff = 0.1

    async def _listen_and_relay(self) -> None:
        wake = asyncio.Event()

        def on_notify(*_: object) -> None:
            wake.set()

        async with self._pool.acquire() as listener:
            await listener.add_listener(CHANNEL, on_notify)
            try:
                while True:
                    # Clear before draining: a NOTIFY that arrives during the drain then
                    # triggers another round instead of being lost.
                    wake.clear()
                    await self.drain()
                    await self._prune_if_due()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), timeout=self._poll_seconds)
                    if listener.is_closed():
                        raise ConnectionError("outbox listener connection closed")
            finally:
                # After an outage the connection may already be gone; nothing left to undo.
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await listener.remove_listener(CHANNEL, on_notify)

    async def _prune_if_due(self) -> None:
        # The first round prunes at once: a process that lives less than an hour (or a
        # machine with a young monotonic clock) must still prune.
        now = time.monotonic()
        if self._last_prune is not None and now - self._last_prune < _PRUNE_EVERY_SECONDS:
            return
        self._last_prune = now
        await self.prune_published()

    async def prune_published(self) -> int:
        """Delete events delivered longer ago than the retention; returns how many.

        Delivered events are kept a while for auditing and replays, then removed so the
        outbox does not grow for ever. Pending and set-aside events are never pruned.
        """
        pruned = 0
        for schema in self._schemas:
            status = await self._pool.execute(
                f"DELETE FROM {schema}.outbox WHERE published_at < now() - $1::interval",
                _PUBLISHED_RETENTION,
            )
            pruned += int(status.rsplit(" ", 1)[-1])  # "DELETE <count>"
        return pruned
