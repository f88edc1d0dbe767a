"""Phase 5: the migrations apply to a fresh PostgreSQL, re-apply as a no-op, and keep the
project's schema rules: one schema per service, no cross-schema foreign keys, every foreign
key indexed. The rules read PostgreSQL's catalog, so they judge what the DDL really built.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncpg

from refarch.migrate import Migration, MigrationError, apply_migrations, discover
from refarch.spec_checks.findings import CheckAborted, Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.sql_lint import path_in_migration_error
from refarch.spec_checks.throwaway import throwaway_database, throwaway_server

__all__ = ["RULES", "check_database", "check_migrated_database"]

_CROSS_SCHEMA_FOREIGN_KEYS = """
SELECT c.conname, src_ns.nspname AS schema, src.relname AS "table",
       dst_ns.nspname AS ref_schema, dst.relname AS ref_table
FROM pg_constraint c
JOIN pg_class src ON src.oid = c.conrelid
JOIN pg_namespace src_ns ON src_ns.oid = src.relnamespace
JOIN pg_class dst ON dst.oid = c.confrelid
JOIN pg_namespace dst_ns ON dst_ns.oid = dst.relnamespace
WHERE c.contype = 'f' AND src_ns.nspname <> dst_ns.nspname
ORDER BY 2, 3, 1
"""

# A foreign key is indexed when a non-partial index starts with exactly its columns (in any
# order); otherwise every delete on the referenced table scans the referencing one.
_UNINDEXED_FOREIGN_KEYS = """
SELECT c.conname, ns.nspname AS schema, t.relname AS "table",
       array_agg(a.attname ORDER BY k.ord) AS columns
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
WHERE c.contype = 'f'
  AND NOT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = c.conrelid AND i.indpred IS NULL
      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
  )
GROUP BY c.conname, ns.nspname, t.relname
ORDER BY 2, 3, 1
"""


_SERVICE_SCHEMAS = """
SELECT nspname FROM pg_namespace
WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public', 'refarch_meta')
"""

_PUBLIC_RELATIONS = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
ORDER BY 1
"""

RULES: dict[str, str] = {
    "DB001": "PostgreSQL accepts every migration on a fresh database",
    "DB002": "applying the migrations a second time applies nothing",
    "DB003": "no foreign key crosses schemas (services own their data)",
    "DB004": "every foreign key has an index starting with its columns",
    "DB005": "an applied migration never changes (checksum) or disappears",
    "DB006": "one schema per service, named like sql/<service>; nothing in public",
}


def _position(sql: str, offset: int) -> tuple[int, int]:
    before = sql[: max(offset - 1, 0)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _error_position(sql: str, error: asyncpg.PostgresError) -> tuple[int, int]:
    """Where in the migration PostgreSQL's error points: its character offset when given,
    else the first mention of the object it names (``relation "shop.parts" does not exist``)."""
    offset = getattr(error, "position", None)
    if offset:
        return _position(sql, int(offset))
    for name in re.findall(r'"([^"]+)"', str(error)):
        found = re.search(re.escape(name), sql, re.IGNORECASE)
        if found:
            return _position(sql, found.start() + 1)
    return 0, 0


def _refused(error: MigrationError, fallback: Path) -> Finding:
    cause = error.__cause__
    path = path_in_migration_error(str(error), fallback)
    if isinstance(cause, asyncpg.PostgresError):
        line = col = 0
        if path.is_file():
            line, col = _error_position(path.read_text(encoding="utf-8"), cause)
        sqlstate = getattr(cause, "sqlstate", "")
        return Finding(
            path,
            line,
            col,
            "DB001",
            f"PostgreSQL refused the migration: {cause} (SQLSTATE {sqlstate})",
            "fix the statement; migrations in later files of the same service may depend on it",
        )
    return Finding(
        path,
        0,
        0,
        "DB005",
        str(error).removeprefix(f"{path}: "),
        "migrations are append-only: restore the applied file and add a new V###__ file",
    )


def _locate(migrations: list[Migration], pattern: str, fallback: Path) -> tuple[Path, int]:
    """The first migration (and line) matching ``pattern``, for pointing at a finding."""
    compiled = re.compile(pattern, re.IGNORECASE)
    for migration in migrations:
        sql = migration.sql()
        match = compiled.search(sql)
        if match:
            return migration.path, sql.count("\n", 0, match.start()) + 1
    return fallback, 0


def _table_line(migrations: list[Migration], schema: str, table: str) -> tuple[Path, int]:
    name = rf'"?{re.escape(schema)}"?\."?{re.escape(table)}"?\b'
    pattern = rf"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{name}"
    return _locate(migrations, pattern, migrations[0].path.parent.parent / schema)


async def _apply_twice(conn: asyncpg.Connection, layout: SpecLayout) -> tuple[list[Finding], bool]:
    """Findings from applying twice, and whether the schema is complete enough to inspect."""
    try:
        await apply_migrations(conn, layout.root)
        again = await apply_migrations(conn, layout.root)
    except MigrationError as error:
        return [_refused(error, layout.sql_dir)], False
    return [
        Finding(
            m.path,
            0,
            0,
            "DB002",
            "applied again on the second run: re-running migrations must be a no-op",
            "report this as a refarch.migrate bug: applied versions must be recorded",
        )
        for m in again
    ], True


async def _foreign_key_findings(
    conn: asyncpg.Connection, migrations: list[Migration]
) -> list[Finding]:
    findings = []
    for row in await conn.fetch(_CROSS_SCHEMA_FOREIGN_KEYS):
        path, line = _table_line(migrations, row["schema"], row["table"])
        findings.append(
            Finding(
                path,
                line,
                1 if line else 0,
                "DB003",
                f"foreign key {row['conname']} on {row['schema']}.{row['table']} references "
                f"{row['ref_schema']}.{row['ref_table']} in another schema",
                "services own their schema: keep the id column without a foreign key and "
                "learn about the other service's data through its API or events",
            )
        )
    for row in await conn.fetch(_UNINDEXED_FOREIGN_KEYS):
        path, line = _table_line(migrations, row["schema"], row["table"])
        columns = ", ".join(row["columns"])
        findings.append(
            Finding(
                path,
                line,
                1 if line else 0,
                "DB004",
                f"foreign key {row['conname']} on {row['schema']}.{row['table']} ({columns}) "
                "has no index",
                f"add `CREATE INDEX {row['table']}_{'_'.join(row['columns'])}_idx ON "
                f"{row['schema']}.{row['table']} ({columns});` (or a primary key/unique "
                "constraint starting with these columns)",
            )
        )
    return findings


async def _schema_findings(
    conn: asyncpg.Connection, migrations: list[Migration], sql_dir: Path
) -> list[Finding]:
    """One schema per service, named like its ``sql/<service>`` folder; nothing in public."""
    services = {m.service for m in migrations}
    schemas = {row["nspname"] for row in await conn.fetch(_SERVICE_SCHEMAS)}
    findings = []
    for schema in sorted(schemas - services):
        path, line = _locate(
            migrations,
            rf'CREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?"?{re.escape(schema)}"?\b',
            sql_dir,
        )
        findings.append(
            Finding(
                path,
                line,
                1 if line else 0,
                "DB006",
                f"schema {schema} belongs to no service (services: {', '.join(sorted(services))})",
                "each service owns exactly one schema named like its sql/<service> folder",
            )
        )
    for service in sorted(services - schemas):
        first = next(m for m in migrations if m.service == service)
        findings.append(
            Finding(
                first.path,
                1,
                1,
                "DB006",
                f"the migrations of service {service} create no schema named {service}",
                f"start with `CREATE SCHEMA {service};` and create its tables in it",
            )
        )
    for row in await conn.fetch(_PUBLIC_RELATIONS):
        path, line = _locate(migrations, rf"\b{re.escape(row['relname'])}\b", sql_dir)
        findings.append(
            Finding(
                path,
                line,
                1 if line else 0,
                "DB006",
                f"{row['relname']} was created in the public schema",
                "qualify every name with the service's schema, e.g. `CREATE TABLE orders.x`",
            )
        )
    return findings


async def check_migrated_database(conn: asyncpg.Connection, layout: SpecLayout) -> list[Finding]:
    """Apply the migrations twice on ``conn`` and check the resulting schema rules."""
    try:
        migrations = discover(layout.root)
    except MigrationError:
        return []  # misnamed files are reported by the SQL phase; nothing can be applied
    if not migrations:
        return []
    findings, applied = await _apply_twice(conn, layout)
    if not applied:
        return findings  # a half-applied schema would only produce follow-on noise
    findings += await _foreign_key_findings(conn, migrations)
    findings += await _schema_findings(conn, migrations, layout.sql_dir)
    return findings


def check_database(layout: SpecLayout, server_url: str | None = None) -> list[Finding]:
    """Findings from applying the migrations to a throwaway database.

    ``server_url`` is an existing server to create the database on; without it a temporary
    embedded PostgreSQL is started and removed.
    """

    async def check(url: str) -> list[Finding]:
        async with throwaway_database(url) as conn:
            try:
                return await check_migrated_database(conn, layout)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # Refused migrations are findings (handled inside); this is the server failing.
                raise CheckAborted(f"lost the database while checking: {exc}") from exc

    with throwaway_server(server_url) as url:
        return asyncio.run(check(url))
