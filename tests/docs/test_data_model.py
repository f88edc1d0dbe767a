"""The data model read from the DDL agrees with what PostgreSQL builds from the same files."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from refarch.docsgen.ddl_model import DataModelError, Schema, load_data_model, parse_schema
from refarch.migrate import POSTGRES, Migration, dialect_of
from refarch.specs import specs_root

ON_DELETE = {"a": None, "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


@dataclass
class CatalogTable:
    columns: dict[str, tuple[str, bool]]  # name -> (format_type, nullable)
    primary_key: tuple[str, ...] = ()
    unique: set[tuple[str, ...]] | None = None
    foreign_keys: set[tuple[tuple[str, ...], str, str | None]] | None = None
    checks: int = 0
    indexes: dict[str, tuple[tuple[str, ...], bool, str, bool]] | None = (
        None  # keys, unique, method, partial
    )


def _unquoted(key: str) -> str:
    return key[1:-1] if re.fullmatch(r'"[a-z_][a-z0-9_]*"', key) else key


async def _catalog(url: str, schemas: list[str]) -> dict[str, CatalogTable]:
    conn = await asyncpg.connect(url)
    try:
        tables: dict[str, CatalogTable] = {}
        for row in await conn.fetch(
            "SELECT n.nspname || '.' || c.relname AS name, a.attname, "
            "format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE c.relkind = 'r' AND n.nspname = ANY($1::text[]) ORDER BY c.oid, a.attnum",
            schemas,
        ):
            table = tables.setdefault(
                row["name"], CatalogTable({}, unique=set(), foreign_keys=set(), indexes={})
            )
            table.columns[row["attname"]] = (row["type"], row["nullable"])
        for row in await conn.fetch(
            "SELECT con.conrelid::regclass::text AS name, con.contype::text AS contype, "
            "con.confdeltype::text AS confdeltype, "
            "con.confrelid::regclass::text AS ref, "
            "ARRAY(SELECT attname FROM unnest(con.conkey) WITH ORDINALITY k(num, pos) "
            "      JOIN pg_attribute ON attrelid = con.conrelid AND attnum = k.num ORDER BY pos) AS cols "
            "FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace "
            "WHERE n.nspname = ANY($1::text[]) AND con.contype IN ('p', 'u', 'f', 'c')",
            schemas,
        ):
            table = tables[row["name"]]
            cols = tuple(row["cols"])
            if row["contype"] == "p":
                table.primary_key = cols
            elif row["contype"] == "u":
                assert table.unique is not None
                table.unique.add(cols)
            elif row["contype"] == "f":
                assert table.foreign_keys is not None
                table.foreign_keys.add((cols, row["ref"], ON_DELETE[row["confdeltype"]]))
            else:
                table.checks += 1
        for row in await conn.fetch(
            "SELECT i.indrelid::regclass::text AS name, ic.relname AS index, i.indisunique, "
            "i.indpred IS NOT NULL AS partial, am.amname, "
            "ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) "
            "      FROM generate_series(1, i.indnkeyatts) k) AS keys "
            "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = ic.relam JOIN pg_namespace n ON n.oid = ic.relnamespace "
            "WHERE n.nspname = ANY($1::text[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            schemas,
        ):
            indexes = tables[row["name"]].indexes
            assert indexes is not None
            indexes[row["index"]] = (
                # PostgreSQL quotes a column named like a keyword ("position"): same column
                tuple(_unquoted(key) for key in row["keys"]),
                row["indisunique"],
                row["amname"],
                row["partial"],
            )
        return tables
    finally:
        await conn.close()


def _normalise_key(key: str) -> str:
    return key.lower().replace(" ", "")


def test_parsed_model_matches_the_postgresql_catalog(database_url: str) -> None:
    # the PostgreSQL schemas; a folder in another dialect (analytics: DuckDB) is not applied here
    model = [s for s in load_data_model() if dialect_of(specs_root() / "sql" / s.name) == POSTGRES]
    assert model, "no schemas found under specs/sql"
    actual = asyncio.run(_catalog(database_url, [s.name for s in model]))

    expected_tables = {t.qualified_name for s in model for t in s.tables}
    assert set(actual) == expected_tables

    for table in (t for s in model for t in s.tables):
        real = actual[table.qualified_name]
        where = table.qualified_name
        assert {c.name: (c.type, c.nullable) for c in table.columns} == real.columns, where
        assert list(real.columns) == [c.name for c in table.columns], f"{where}: column order"
        assert table.primary_key == real.primary_key, where
        assert set(table.unique) == real.unique, where
        assert {
            (fk.columns, fk.ref_table, fk.on_delete) for fk in table.foreign_keys
        } == real.foreign_keys, where
        assert len(table.checks) == real.checks, where
        assert real.indexes is not None
        assert {
            i.name: (
                tuple(_normalise_key(k) for k in i.keys),
                i.unique,
                i.method or "btree",
                i.where is not None,
            )
            for i in table.indexes
        } == {
            name: (tuple(_normalise_key(k) for k in keys), unique, method, partial)
            for name, (keys, unique, method, partial) in real.indexes.items()
        }, where


def _migration(tmp_path: Path, sql: str) -> Migration:
    path = tmp_path / "V001__init.sql"
    path.write_text(sql, encoding="utf-8")
    return Migration(service="shop", version=1, name="init", path=path, checksum="0" * 64)


def test_composite_keys_defaults_and_references_are_modelled(tmp_path: Path) -> None:
    schema: Schema = parse_schema(
        "shop",
        [
            _migration(
                tmp_path,
                "-- the shop\nCREATE SCHEMA shop;\n"
                "CREATE TABLE shop.a (id uuid PRIMARY KEY, code varchar(12) NOT NULL DEFAULT 'x');\n"
                "-- lines of a\n"
                "CREATE TABLE shop.b (a_id uuid NOT NULL, n smallint, tags text[],\n"
                "  PRIMARY KEY (a_id, n), FOREIGN KEY (a_id) REFERENCES shop.a (id) ON DELETE CASCADE);\n"
                "CREATE UNIQUE INDEX b_tags ON shop.b USING gin (tags) WHERE n > 0;\n"
                "ALTER TABLE shop.a ADD COLUMN note text;\n",
            )
        ],
    )
    a, b = schema.table("a"), schema.table("b")
    assert schema.description == "the shop"
    assert b.description == "lines of a"
    assert [(c.name, c.type, c.nullable) for c in a.columns] == [
        ("id", "uuid", False),
        ("code", "character varying(12)", False),
        ("note", "text", True),
    ]
    assert a.column("code").default == "'x'"
    assert b.primary_key == ("a_id", "n")
    assert b.column("n").nullable is False  # primary-key columns are NOT NULL
    assert b.column("tags").type == "text[]"
    assert [(fk.columns, fk.ref_table, fk.on_delete) for fk in b.foreign_keys] == [
        (("a_id",), "shop.a", "CASCADE")
    ]
    assert [(i.name, i.unique, i.method, i.where) for i in b.indexes] == [
        ("b_tags", True, "gin", "n > 0")
    ]


def test_ddl_the_model_does_not_understand_is_a_loud_error(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE shop.a (id uuid PRIMARY KEY);\nALTER TABLE shop.a RENAME COLUMN id TO key;\n"
    )
    with pytest.raises(DataModelError, match="does not model"):
        parse_schema("shop", [_migration(tmp_path, sql)])


def test_a_dropped_index_leaves_the_model_and_a_replacement_takes_its_place(
    tmp_path: Path,
) -> None:
    sql = (
        "CREATE SCHEMA shop;\nCREATE TABLE shop.a (id uuid PRIMARY KEY, done boolean);\n"
        "CREATE INDEX a_open ON shop.a (id) WHERE done IS NULL;\n"
        "DROP INDEX shop.a_open;\n"
        "DROP INDEX IF EXISTS shop.never_created;\n"
        "CREATE INDEX a_pending ON shop.a (id) WHERE done IS NOT TRUE;\n"
    )
    table = parse_schema("shop", [_migration(tmp_path, sql)]).table("a")
    assert [(i.name, i.where) for i in table.indexes] == [("a_pending", "done IS NOT TRUE")]


def test_dropping_an_unknown_index_is_a_loud_error(tmp_path: Path) -> None:
    sql = "CREATE SCHEMA shop;\nCREATE TABLE shop.a (id uuid PRIMARY KEY);\nDROP INDEX shop.nope;\n"
    with pytest.raises(DataModelError, match=r"unknown index shop\.nope"):
        parse_schema("shop", [_migration(tmp_path, sql)])


def test_clauses_are_quoted_as_the_migration_wrote_them(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE shop.a (\n"
        "    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n"
        "    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),\n"
        "    data jsonb NOT NULL DEFAULT '{}'::JSONB,\n"
        "    at timestamptz NOT NULL DEFAULT now(),\n"
        "    search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::REGCONFIG, name)) STORED,\n"
        "    CHECK ((name = 'x') = (data IS NULL))\n"
        ");\n"
        "CREATE UNIQUE INDEX a_name ON shop.a (lower(name)) WHERE at > '2020-01-01';\n"
        "-- a trailing comment is not a statement\n"
    )
    table = parse_schema("shop", [_migration(tmp_path, sql)]).table("a")
    assert table.checks == ["char_length(name) BETWEEN 1 AND 100", "(name = 'x') = (data IS NULL)"]
    assert [table.column(c).default for c in ("id", "data", "at")] == [
        "gen_random_uuid()",
        "'{}'::JSONB",
        "now()",
    ]
    assert table.column("search").generated == "to_tsvector('simple'::REGCONFIG, name)"
    assert [(i.keys, i.where) for i in table.indexes] == [(("lower(name)",), "at > '2020-01-01'")]
