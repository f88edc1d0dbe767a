"""The asyncpg pool: JSON codecs, connection settings, and start-up migrations.

The pool is created lazily-tolerant (``min_size`` connections at start, more on demand) and
asyncpg replaces a broken connection on its next acquire, so after a PostgreSQL restart
the service recovers on its own; requests in between get 503 (see ``problems``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg
import orjson

from refarch.migrate import apply_migrations
from refarch.pg import redact

__all__ = ["DatabaseStartupError", "create_pool", "migrate", "redact"]

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


async def create_pool(url: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    try:
        pool = await asyncpg.create_pool(
            url,
            min_size=min(min_size, max_size),
            max_size=max_size,
            init=_init_connection,
            timeout=CONNECT_TIMEOUT_SECONDS,
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise DatabaseStartupError(
            f"cannot connect to PostgreSQL at {redact(url)}: {type(exc).__name__}: {exc}"
        ) from exc
    assert pool is not None
    return pool


async def migrate(pool: asyncpg.Pool, root: Path | None = None) -> None:
    """Apply pending migrations; several workers starting at once serialise on a lock."""
    async with pool.acquire() as conn:
        applied = await apply_migrations(conn, root)
    for migration in applied:
        log.info("applied migration %s", migration.label)
