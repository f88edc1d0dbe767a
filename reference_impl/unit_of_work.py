"""The unit of work: one transaction, the repositories that work in it, and its events.

Nothing is kept unless ``commit()`` is called: leaving the ``async with`` block any other
way (an exception, an early return) rolls back. Events recorded with ``publish`` are written
to the producing service's outbox inside the same transaction, so a change and the fact
that it happened commit together or not at all (the transactional outbox pattern).

Each service subclasses :class:`UnitOfWork` next to its repositories and creates them in
``_open_repositories``; the service itself only sees a factory (``self._uow()``), so its
logic can be unit-tested with fakes. A unit of work runs in one of three modes:

* ``uow()``: its own transaction (commit or roll back);
* ``uow(autocommit=True)``: no transaction, every statement commits on its own; for reads
  and single writes, which then cost no BEGIN/COMMIT round trips;
* ``uow(within=other)``: a service's repositories inside *another* service's transaction
  (stock reserved inside the order's transaction); the caller commits.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import asyncpg

from refarch.reference_impl.events import Event, current_request_id

__all__ = ["OUTBOX_SCHEMAS", "Executor", "UnitOfWork", "UnitOfWorkFactory"]

#: Schemas that own an outbox table (users and orders V001, catalog V003).
OUTBOX_SCHEMAS = ("users", "catalog", "orders")


class Executor(Protocol):
    """What repositories need: an asyncpg connection or a pool (for single statements)."""

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str: ...

    async def executemany(
        self, command: str, args: Any, *, timeout: float | None = None
    ) -> None: ...

    async def fetch(
        self, query: str, *args: Any, timeout: float | None = None, record_class: Any = None
    ) -> list[Any]: ...

    async def fetchrow(
        self, query: str, *args: Any, timeout: float | None = None, record_class: Any = None
    ) -> Any: ...

    async def fetchval(
        self, query: str, *args: Any, column: int = 0, timeout: float | None = None
    ) -> Any: ...


class UnitOfWork:
    """``async with UnitOfWork(pool) as uow: ...; await uow.commit()``."""

    def __init__(
        self, pool: asyncpg.Pool, *, autocommit: bool = False, within: UnitOfWork | None = None
    ) -> None:
        if autocommit and within is not None:
            raise ValueError("a unit of work inside another one cannot also autocommit")
        self._pool = pool
        self._autocommit = autocommit
        self._within = within
        self._connection: asyncpg.Connection | None = None
        self._transaction: Any = None
        self._events: list[tuple[str, Event]] = []
        self._committed = False

    @property
    def connection(self) -> asyncpg.Connection:
        """The transaction's connection (the caller's, for a unit of work ``within`` it)."""
        if self._within is not None:
            return self._within.connection
        if self._connection is None:
            raise RuntimeError("the unit of work has no transaction; use `async with`")
        return self._connection

    def _open_repositories(self, db: Executor) -> None:
        """Subclasses create their repositories on ``db`` here."""

    def publish(self, schema: str, event: Event) -> None:
        """Record ``event`` for ``schema``'s outbox; written by ``commit()``."""
        if schema not in OUTBOX_SCHEMAS:
            raise ValueError(f"schema {schema!r} has no outbox")
        if self._within is not None:
            self._within.publish(schema, event)
        elif self._autocommit:
            raise RuntimeError(
                "events need a transaction; open the unit of work without autocommit"
            )
        else:
            self._events.append((schema, event))

    async def __aenter__(self) -> Self:
        if self._within is not None:
            self._open_repositories(self._within.connection)
            return self
        if self._autocommit:
            self._open_repositories(self._pool)
            return self
        self._connection = await self._pool.acquire()
        try:
            self._transaction = self._connection.transaction()
            await self._transaction.start()
        except BaseException:
            await self._pool.release(self._connection)
            self._connection = None
            raise
        self._open_repositories(self._connection)
        return self

    async def commit(self) -> None:
        if self._within is not None or self._autocommit:
            raise RuntimeError("only the unit of work that owns the transaction commits it")
        request_id = current_request_id.get()
        for schema, event in self._events:
            # schema is from the fixed OUTBOX_SCHEMAS. Taking the next number locks the
            # aggregate's counter row until this transaction ends, so sequences follow
            # commit order and have no gaps (a rollback gives its numbers back).
            await self.connection.execute(
                f"WITH next AS (INSERT INTO {schema}.event_sequences AS s"
                " (aggregate_type, aggregate_id, last_sequence) VALUES ($2, $3, 1)"
                " ON CONFLICT (aggregate_type, aggregate_id)"
                " DO UPDATE SET last_sequence = s.last_sequence + 1 RETURNING last_sequence)"
                f" INSERT INTO {schema}.outbox (id, aggregate_type, aggregate_id, event_type,"
                " payload, created_at, sequence, request_id)"
                " SELECT $1, $2, $3, $4, $5, $6, last_sequence, $7 FROM next",
                event.id,
                event.aggregate_type,
                event.aggregate_id,
                event.event_type,
                event.payload,
                event.occurred_at,
                request_id,
            )
        self._events.clear()
        await self._transaction.commit()
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if not self._committed and not connection.is_closed():
                # A broken connection cannot roll back; the server already discarded the
                # transaction, and the original exception must not be masked by this one.
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await self._transaction.rollback()
        finally:
            await self._pool.release(connection)


U_co = TypeVar("U_co", bound=UnitOfWork, covariant=True)


class UnitOfWorkFactory(Protocol[U_co]):
    """How services open units of work: ``functools.partial(OrdersUnitOfWork, pool)`` in
    production, an in-memory fake in unit tests."""

    def __call__(self, *, autocommit: bool = False, within: UnitOfWork | None = None) -> U_co: ...
