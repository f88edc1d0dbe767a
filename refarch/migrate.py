"""Apply the append-only SQL migrations in ``specs/sql/<service>/V###__name.sql``.

Each applied migration is recorded with its SHA-256 checksum in
``refarch_meta.applied_migrations``. Re-running is a no-op; a migration whose file changed
after it was applied, or that disappeared, is a loud error rather than a silent drift.
Concurrent starters (several workers) serialise on an advisory lock.

A folder is PostgreSQL unless its own ``.sqlfluff`` names another dialect (the analytics
read model's ``specs/sql/analytics`` says ``dialect = duckdb``): one statement of what the
SQL is written in, read by the linter and by this module, so PostgreSQL never sees DuckDB
DDL and the DuckDB store applies only its own folder.
"""

from __future__ import annotations

import configparser
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from refarch.specs import specs_root

__all__ = [
    "POSTGRES",
    "Migration",
    "MigrationError",
    "apply_migrations",
    "dialect_of",
    "discover",
    "pending",
]

_FILE = re.compile(r"^V(?P<version>\d{3,})__(?P<name>[a-z0-9_]+)\.sql$")
POSTGRES = "postgres"
_LOCK_KEY = 0x5EFA_2C01  # arbitrary, constant: pg_advisory_lock key for migrations

_BOOKKEEPING = """
CREATE SCHEMA IF NOT EXISTS refarch_meta;
CREATE TABLE IF NOT EXISTS refarch_meta.applied_migrations (
    service    text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, version)
);
"""


class MigrationError(RuntimeError):
    """The migrations on disk and the database disagree; the message says how to fix it."""


@dataclass(frozen=True)
class Migration:
    service: str
    version: int
    name: str
    path: Path
    checksum: str

    @property
    def label(self) -> str:
        return f"{self.service}/V{self.version:03d}__{self.name}"

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def dialect_of(service_dir: Path) -> str:
    """The SQL dialect of a migrations folder: its own ``.sqlfluff`` says, else PostgreSQL."""
    config = service_dir / ".sqlfluff"
    if not config.is_file():
        return POSTGRES
    parser = configparser.ConfigParser()
    parser.read(config, encoding="utf-8")
    return parser.get("sqlfluff", "dialect", fallback=POSTGRES).strip()


def discover(root: Path | None = None, *, dialect: str | None = POSTGRES) -> list[Migration]:
    """All migrations of ``dialect`` (None: every folder), per service (alphabetical: schemas
    never reference each other) in version order."""
    sql_root = (root or specs_root()) / "sql"
    found: list[Migration] = []
    folders = sorted(p for p in sql_root.iterdir() if p.is_dir())
    for service_dir in folders:
        if dialect is not None and dialect_of(service_dir) != dialect:
            continue
        seen: dict[int, Path] = {}
        for path in sorted(service_dir.glob("*.sql")):
            match = _FILE.match(path.name)
            if not match:
                raise MigrationError(
                    f"{path}: file name must look like V001__short_name.sql "
                    "(V, a zero-padded version, two underscores, lower-case name)"
                )
            version = int(match["version"])
            if version in seen:
                raise MigrationError(f"{path}: version {version} is also used by {seen[version]}")
            seen[version] = path
            found.append(
                Migration(
                    service=service_dir.name,
                    version=version,
                    name=match["name"],
                    path=path,
                    checksum=hashlib.sha256(path.read_bytes()).hexdigest(),
                )
            )
        expected = list(range(1, len(seen) + 1))
        if sorted(seen) != expected:
            raise MigrationError(
                f"{service_dir}: versions must run 1..N without gaps, found {sorted(seen)}"
            )
    return sorted(found, key=lambda m: (m.service, m.version))


async def _applied(conn: asyncpg.Connection) -> dict[tuple[str, int], str]:
    rows = await conn.fetch(
        "SELECT service, version, checksum FROM refarch_meta.applied_migrations"
    )
    return {(r["service"], r["version"]): r["checksum"] for r in rows}


def _check_history(migrations: list[Migration], applied: dict[tuple[str, int], str]) -> None:
    on_disk = {(m.service, m.version): m for m in migrations}
    for key, checksum in applied.items():
        migration = on_disk.get(key)
        if migration is None:
            raise MigrationError(
                f"migration {key[0]}/V{key[1]:03d} is recorded as applied but its file is gone: "
                "migrations are append-only; restore the file"
            )
        if migration.checksum != checksum:
            raise MigrationError(
                f"{migration.path} changed after it was applied (checksum {checksum[:12]}… in the "
                f"database, {migration.checksum[:12]}… on disk): never edit an applied migration; "
                "restore it and add a new V###__ file instead"
            )


async def pending(conn: asyncpg.Connection, root: Path | None = None) -> list[Migration]:
    """Migrations not yet applied (raises MigrationError if the history was tampered with)."""
    migrations = discover(root)
    exists = await conn.fetchval(
        "SELECT to_regclass('refarch_meta.applied_migrations') IS NOT NULL"
    )
    applied = await _applied(conn) if exists else {}
    _check_history(migrations, applied)
    return [m for m in migrations if (m.service, m.version) not in applied]


async def apply_migrations(conn: asyncpg.Connection, root: Path | None = None) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; returns what was applied."""
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_BOOKKEEPING)
        todo = await pending(conn, root)
        for migration in todo:
            async with conn.transaction():
                try:
                    await conn.execute(migration.sql())
                except asyncpg.PostgresError as exc:
                    raise MigrationError(f"{migration.path}: PostgreSQL refused it: {exc}") from exc
                await conn.execute(
                    "INSERT INTO refarch_meta.applied_migrations (service, version, name, checksum)"
                    " VALUES ($1, $2, $3, $4)",
                    migration.service,
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
        return todo
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
