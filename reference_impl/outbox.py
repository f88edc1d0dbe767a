"""The outbox relay: delivers events from the producers' outboxes to the consumer.

Producers write events to ``<schema>.outbox`` in the same transaction as the change
(see unit_of_work). The relay claims a batch with ``FOR UPDATE SKIP LOCKED`` (several
worker processes then share the work without handing out one event twice at the same
time), hands each event to the consumer inside the same transaction, and marks the batch
published. If the connection fails the transaction rolls back and the batch comes round
again; an event the consumer fails on is skipped and retried in a later round without
holding up the rest. Delivery is at least once; the consumer de-duplicates by event id.

It wakes on ``NOTIFY refarch_outbox`` (sent by the outbox tables' trigger on commit), with
a poll as fallback, so an event is usually delivered within milliseconds. It never lets an
error escape: a lost database connection is retried with capped exponential backoff and
the relay resumes on its own when PostgreSQL is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg

from reference_impl.events import Event
from reference_impl.unit_of_work import OUTBOX_SCHEMAS, UnitOfWork

__all__ = ["CHANNEL", "Consumer", "OutboxRelay"]

log = logging.getLogger("reference_impl.outbox")

CHANNEL = "refarch_outbox"
Consumer = Callable[[UnitOfWork, Event], Awaitable[object]]

_MAX_BACKOFF_SECONDS = 5.0
#: The database or the link to it failed (not the event): the relay reconnects instead.
_CONNECTION_ERRORS = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,  # server shutting down, backend terminated
)
_PUBLISHED_RETENTION = "7 days"
_PRUNE_EVERY_SECONDS = 3600.0


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        consumer: Consumer,
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 100,
        schemas: tuple[str, ...] = OUTBOX_SCHEMAS,
    ) -> None:
        self._pool = pool
        self._consume = consumer
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._schemas = schemas
        self._last_prune = 0.0

    async def relay_batch(self, schema: str) -> int:
        """Deliver up to one batch from ``schema``'s outbox; returns how many were delivered."""
        async with UnitOfWork(self._pool) as uow:
            rows = await uow.connection.fetch(
                "SELECT id, aggregate_type, aggregate_id, event_type, payload, created_at"
                f" FROM {schema}.outbox WHERE published_at IS NULL"
                " ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            delivered = [row["id"] for row in rows if await self._deliver(uow, row)]
            if delivered:
                await uow.connection.execute(
                    f"UPDATE {schema}.outbox SET published_at = now() WHERE id = ANY($1::uuid[])",
                    delivered,
                )
            await uow.commit()
        return len(delivered)

    async def _deliver(self, uow: UnitOfWork, row: asyncpg.Record) -> bool:
        """Hand one event to the consumer inside a savepoint; False if the consumer failed.

        A failing event is rolled back alone and stays unpublished for the next round, so
        one bad event (a payload the consumer cannot handle) never blocks all the others.
        A lost connection is not the event's fault: it propagates and the relay reconnects.
        """
        event = Event(
            event_type=row["event_type"],
            aggregate_type=row["aggregate_type"],
            aggregate_id=row["aggregate_id"],
            payload=row["payload"],
            id=row["id"],
            occurred_at=row["created_at"],
        )
        try:
            async with uow.connection.transaction():  # nested: a savepoint
                await self._consume(uow, event)
        except _CONNECTION_ERRORS:
            raise
        except Exception:
            log.error(
                "consumer failed on event %s (%s); it stays in the outbox for a retry",
                event.id,
                event.event_type,
                exc_info=True,
            )
            return False
        return True

    async def drain(self) -> int:
        """Deliver everything pending in every outbox; returns how many were delivered."""
        delivered = 0
        for schema in self._schemas:
            while True:
                count = await self.relay_batch(schema)
                delivered += count
                if count < self._batch_size:
                    break
        return delivered

    async def lag_seconds(self) -> float:
        """Age of the oldest undelivered event (0 when all are delivered): the metric to alert on."""
        oldest = " UNION ALL ".join(
            f"SELECT min(created_at) AS created_at FROM {schema}.outbox WHERE published_at IS NULL"
            for schema in self._schemas
        )
        lag = await self._pool.fetchval(
            f"SELECT coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)"
            f" FROM ({oldest}) AS oldest"
        )
        return max(0.0, float(lag))

    async def run_forever(self) -> None:
        """Relay until cancelled; survives database restarts."""
        backoff = 0.1
        while True:
            try:
                await self._listen_and_relay()
            except asyncio.CancelledError:
                raise
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
        # Delivered events are kept a while for auditing and replays, then removed so the
        # outbox does not grow forever.
        now = time.monotonic()
        if now - self._last_prune < _PRUNE_EVERY_SECONDS:
            return
        self._last_prune = now
        for schema in self._schemas:
            await self._pool.execute(
                f"DELETE FROM {schema}.outbox WHERE published_at < now() - $1::interval",
                _PUBLISHED_RETENTION,
            )
