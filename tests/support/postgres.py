"""A real PostgreSQL for tests: one embedded server per xdist worker, a fresh database per test.

Fresh databases are cloned from a template that already has every migration applied, so a
test gets an isolated, fully migrated database in a few milliseconds.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from refarch import pg
from refarch.migrate import apply_migrations

TEMPLATE = "refarch_template"


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(with_database(url, "postgres"))
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def _build_template(url: str) -> None:
    await _admin(url, f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}")
    conn = await asyncpg.connect(with_database(url, TEMPLATE))
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()


class TestPostgres:
    """The worker's embedded server plus helpers to create isolated databases on it."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, base_dir: Path) -> None:
        self.db = pg.embedded(base_dir)
        self.url = self.db.url
        self._template_ready = False

    def fresh_database(self, *, migrated: bool = True) -> str:
        """Create an empty (or fully migrated) database; returns its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        if migrated and not self._template_ready:
            asyncio.run(_build_template(self.url))
            self._template_ready = True
        template = f" TEMPLATE {TEMPLATE}" if migrated else ""
        asyncio.run(_admin(self.url, f"CREATE DATABASE {name}{template}"))
        return with_database(self.url, name)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        asyncio.run(_admin(self.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def stop(self) -> None:
        self.db.stop()
