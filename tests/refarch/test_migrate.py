"""The migration runner: append-only history, checksums, serialised concurrent starters."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from refarch.migrate import MigrationError, apply_migrations, discover, pending


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, sql in files.items():
        path = root / "sql" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    return root


SHOP = {
    "shop/V001__init.sql": "CREATE SCHEMA shop; CREATE TABLE shop.items (id integer PRIMARY KEY);",
    "shop/V002__names.sql": "ALTER TABLE shop.items ADD COLUMN name text;",
}


async def _run(url: str, root: Path) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return [m.label for m in await apply_migrations(conn, root)]
    finally:
        await conn.close()


def test_applies_in_order_and_rerun_is_a_noop(empty_database_url: str, tmp_path: Path) -> None:
    root = write_tree(tmp_path, SHOP)
    assert asyncio.run(_run(empty_database_url, root)) == ["shop/V001__init", "shop/V002__names"]
    assert asyncio.run(_run(empty_database_url, root)) == []


def test_a_new_migration_is_applied_on_top(empty_database_url: str, tmp_path: Path) -> None:
    root = write_tree(tmp_path, SHOP)
    asyncio.run(_run(empty_database_url, root))
    write_tree(root, {"shop/V003__price.sql": "ALTER TABLE shop.items ADD COLUMN price bigint;"})
    assert asyncio.run(_run(empty_database_url, root)) == ["shop/V003__price"]


def test_an_edited_applied_migration_is_a_loud_error(
    empty_database_url: str, tmp_path: Path
) -> None:
    root = write_tree(tmp_path, SHOP)
    asyncio.run(_run(empty_database_url, root))
    (root / "sql/shop/V002__names.sql").write_text("ALTER TABLE shop.items ADD COLUMN title text;")
    with pytest.raises(MigrationError, match=r"V002__names\.sql changed after it was applied"):
        asyncio.run(_run(empty_database_url, root))


def test_a_deleted_applied_migration_is_a_loud_error(
    empty_database_url: str, tmp_path: Path
) -> None:
    root = write_tree(tmp_path, SHOP)
    asyncio.run(_run(empty_database_url, root))
    (root / "sql/shop/V002__names.sql").unlink()
    with pytest.raises(MigrationError, match="append-only"):
        asyncio.run(_run(empty_database_url, root))


def test_a_refused_migration_names_its_file_and_rolls_back(
    empty_database_url: str, tmp_path: Path
) -> None:
    root = write_tree(
        tmp_path,
        {
            "shop/V001__init.sql": "CREATE SCHEMA shop;",
            "shop/V002__broken.sql": "CREATE TABLE shop.x (id integer); ALTER TABLE shop.nope ADD c int;",
        },
    )
    with pytest.raises(MigrationError, match=r"V002__broken\.sql: PostgreSQL refused it"):
        asyncio.run(_run(empty_database_url, root))

    async def state() -> tuple[bool, list[str]]:
        conn = await asyncpg.connect(empty_database_url)
        try:
            table = await conn.fetchval("SELECT to_regclass('shop.x') IS NOT NULL")
            return table, [m.label for m in await pending(conn, root)]
        finally:
            await conn.close()

    table_exists, still_pending = asyncio.run(state())
    assert not table_exists, "the failed migration's first statement must be rolled back"
    assert still_pending == ["shop/V002__broken"]


def test_concurrent_starters_apply_each_migration_once(
    empty_database_url: str, tmp_path: Path
) -> None:
    root = write_tree(tmp_path, SHOP)

    async def race() -> list[list[str]]:
        return list(await asyncio.gather(*(_run(empty_database_url, root) for _ in range(4))))

    results = asyncio.run(race())
    applied = [label for result in results for label in result]
    assert sorted(applied) == ["shop/V001__init", "shop/V002__names"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"shop/V1_init.sql": "SELECT 1;"}, "file name must look like V001__short_name.sql"),
        ({"shop/V001__Init.sql": "SELECT 1;"}, "file name must look like"),
        (
            {"shop/V001__a.sql": "SELECT 1;", "shop/V003__c.sql": "SELECT 1;"},
            r"versions must run 1\.\.N without gaps",
        ),
        (
            {"shop/V001__a.sql": "SELECT 1;", "shop/V0001__b.sql": "SELECT 1;"},
            "version 1 is also used",
        ),
    ],
)
def test_badly_named_or_numbered_files_are_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(MigrationError, match=message):
        discover(write_tree(tmp_path, files))


def test_project_migrations_apply_cleanly_twice(empty_database_url: str) -> None:
    """The real specs/sql: every migration applies on PostgreSQL, and re-running is a no-op."""
    first = asyncio.run(_run(empty_database_url, None))  # type: ignore[arg-type]
    assert {label.split("/")[0] for label in first} >= {
        "users",
        "catalog",
        "orders",
        "notifications",
    }
    assert asyncio.run(_run(empty_database_url, None)) == []  # type: ignore[arg-type]
