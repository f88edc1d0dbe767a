"""The asyncpg pool: JSON codecs, connection settings, and start-up migrations.

The pool is created lazily-tolerant (``min_size`` connections at start, more on demand) and
asyncpg replaces a broken connection on its next acquire, so after a PostgreSQL restart
the service recovers on its own; requests in between get 503 (see ``problems``).

Every wait on the database has a deadline (``database_deadline_seconds``): taking a
connection from the pool, each statement (including BEGIN and COMMIT) and giving the
connection back. A hung PostgreSQL (stopped, not dead: nothing refuses the connection)
otherwise made every request wait for the whole outage; past the deadline asyncpg raises
TimeoutError, which the problem mapping turns into 503 with Retry-After.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from refarch.migrate import apply_migrations
from refarch.pg import redact

__all__ = ["DatabaseStartupError", "DeadlinePool", "create_pool", "migrate", "redact"]

log = logging.getLogger("refarch.reference_impl.database")

#: Seconds to wait for a new connection; beyond it the request gets 503, not a hang.
CONNECT_TIMEOUT_SECONDS = 5.0


class DatabaseStartupError(RuntimeError):
    """PostgreSQL could not be reached at start-up; the message says where we looked."""


async def _init_connection(conn: asyncpg.Connection) -> None:
    # orjson both ways: faster than the json module and it encodes UUID/datetime natively
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name,
            schema="pg_catalog",
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
        )


class DeadlinePool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg ships no type stubs
    """An asyncpg pool whose acquire and release wait at most ``deadline`` seconds unless
    the caller says otherwise (asyncpg's own default is to wait forever). The pool's query
    helpers (``pool.fetchrow`` …) acquire through here too."""

    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self.deadline if timeout is None else timeout)

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        await super().release(connection, timeout=self.deadline if timeout is None else timeout)


async def create_pool(
    url: str, *, min_size: int, max_size: int, deadline_seconds: float = 5.0
) -> asyncpg.Pool:
    try:
        pool = await DeadlinePool(
            url,
            deadline=deadline_seconds,
            connection_class=asyncpg.Connection,
            record_class=asyncpg.Record,
            min_size=min(min_size, max_size),
            max_size=max_size,
            max_queries=50000,
            max_inactive_connection_lifetime=300.0,
            setup=None,
            init=_init_connection,
            reset=None,
            connect=None,
            loop=None,
            timeout=min(CONNECT_TIMEOUT_SECONDS, deadline_seconds),
            command_timeout=deadline_seconds,
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise DatabaseStartupError(
            f"cannot connect to PostgreSQL at {redact(url)}: {type(exc).__name__}: {exc}"
        ) from exc
    assert pool is not None
    return pool


async def migrate(url: str, root: Path | None = None) -> None:
    """Apply pending migrations; several workers starting at once serialise on a lock.

    On a connection of its own, outside the pool: a migration may legitimately run longer
    than the pool's statement deadline, and so may waiting for another worker's lock.
    """
    conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        applied = await apply_migrations(conn, root)
    finally:
        await conn.close()
    for migration in applied:
        log.info("applied migration %s", migration.label)
