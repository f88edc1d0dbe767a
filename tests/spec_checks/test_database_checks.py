"""Migrations apply on a real PostgreSQL, re-apply as a no-op, and keep the schema rules."""

from __future__ import annotations

import asyncio

import asyncpg

from refarch.migrate import apply_migrations
from refarch.spec_checks import Finding
from refarch.spec_checks.database_checks import check_database, check_migrated_database
from tests.spec_checks.conftest import SpecTree
from tests.support.postgres import TestPostgres

MIGRATION = "sql/shop/V001__init.sql"


def _check(spec_tree: SpecTree, postgres: TestPostgres) -> list[Finding]:
    return check_database(spec_tree.layout(), postgres.url)


def test_minimal_migrations_apply_cleanly_twice(
    spec_tree: SpecTree, postgres: TestPostgres
) -> None:
    assert _check(spec_tree, postgres) == []


def test_migration_postgresql_refuses_is_reported_with_its_file(
    spec_tree: SpecTree, postgres: TestPostgres
) -> None:
    broken = spec_tree.write(
        "sql/shop/V002__gadgets.sql",
        "CREATE TABLE shop.gadgets (\n"
        "    id BIGINT PRIMARY KEY,\n"
        "    part_id BIGINT NOT NULL REFERENCES shop.parts (id)\n"
        ");\n",
    )

    [finding] = _check(spec_tree, postgres)

    assert (finding.rule, finding.path) == ("DB001", broken)
    assert 'relation "shop.parts" does not exist' in finding.message
    # PostgreSQL gives no position here; the line is where the missing relation is named
    assert (finding.line, finding.col) == (3, 40)


def test_syntax_error_position_becomes_a_line(spec_tree: SpecTree, postgres: TestPostgres) -> None:
    spec_tree.write("sql/shop/V002__typo.sql", "SELECT 1;\n\nCREAT TABLE shop.x (id INT);\n")

    [finding] = _check(spec_tree, postgres)

    assert (finding.rule, finding.line) == ("DB001", 3)
    assert "syntax error" in finding.message


def test_cross_schema_foreign_key_is_reported(spec_tree: SpecTree, postgres: TestPostgres) -> None:
    spec_tree.write(
        "sql/stock/V001__init.sql",
        "CREATE SCHEMA stock;\n\n"
        "CREATE TABLE stock.levels (\n"
        "    widget_id BIGINT PRIMARY KEY REFERENCES shop.widgets (id)\n"
        ");\n",
    )

    [finding] = _check(spec_tree, postgres)

    assert finding.rule == "DB003"
    assert finding.path == spec_tree.path("sql/stock/V001__init.sql")
    assert finding.line == 3
    assert "stock.levels references shop.widgets in another schema" in finding.message


def test_foreign_key_without_index_is_reported(spec_tree: SpecTree, postgres: TestPostgres) -> None:
    text = spec_tree.path(MIGRATION).read_text(encoding="utf-8")
    spec_tree.write(MIGRATION, text.split("CREATE INDEX")[0])

    [finding] = _check(spec_tree, postgres)

    assert finding.rule == "DB004"
    assert finding.line == spec_tree.line_of(MIGRATION, "CREATE TABLE shop.widgets")
    assert "shop.widgets (maker_id) has no index" in finding.message


def test_changed_applied_migration_is_detected(
    spec_tree: SpecTree, empty_database_url: str
) -> None:
    async def apply_then_edit_then_check() -> list[Finding]:
        conn = await asyncpg.connect(empty_database_url)
        try:
            await apply_migrations(conn, spec_tree.root)
            migration = spec_tree.path(MIGRATION)
            migration.write_text(migration.read_text() + "\nCREATE SCHEMA extra;\n")
            return await check_migrated_database(conn, spec_tree.layout())
        finally:
            await conn.close()

    [finding] = asyncio.run(apply_then_edit_then_check())

    assert (finding.rule, finding.path) == ("DB005", spec_tree.path(MIGRATION))
    assert "changed after it was applied" in finding.message


def test_table_in_public_schema_is_reported(spec_tree: SpecTree, postgres: TestPostgres) -> None:
    path = spec_tree.write("sql/shop/V002__stray.sql", "CREATE TABLE stray (id INT PRIMARY KEY);\n")

    [finding] = _check(spec_tree, postgres)

    assert (finding.rule, finding.path, finding.line) == ("DB006", path, 1)
    assert "stray was created in the public schema" in finding.message


def test_schema_named_unlike_its_service_is_reported(
    spec_tree: SpecTree, postgres: TestPostgres
) -> None:
    path = spec_tree.write(
        "sql/stock/V001__init.sql",
        "CREATE SCHEMA inventory;\n\nCREATE TABLE inventory.levels (id INT PRIMARY KEY);\n",
    )

    findings = _check(spec_tree, postgres)

    assert [(f.rule, f.path) for f in findings] == [("DB006", path), ("DB006", path)]
    assert "schema inventory belongs to no service" in findings[0].message
    assert "service stock create no schema named stock" in findings[1].message
