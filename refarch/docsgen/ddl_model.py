"""The data model the SQL migrations create, read from the DDL without a database.

The migrations in ``specs/sql`` are the source of truth for every schema. This module
replays them in order (``CREATE TABLE``, ``CREATE INDEX``, ``ALTER TABLE … ADD COLUMN``)
into plain dataclasses the docs render. It never guesses: a statement that changes tables
in a way it does not understand is a loud error, so the docs cannot silently drift from
what PostgreSQL builds. ``tests/docs`` applies the same migrations to a real server and
checks that both agree.

Types are written the way PostgreSQL's ``format_type()`` prints them (``timestamp with
time zone``, ``character(3)``), so a reader sees the names ``\\d`` would show.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlglot
from sqlglot import exp

from refarch.docsgen.ddl_source import index_source, split_statements, table_source
from refarch.migrate import POSTGRES, Migration, dialect_of, discover

__all__ = [
    "Column",
    "DataModelError",
    "ForeignKey",
    "Index",
    "Schema",
    "Table",
    "load_data_model",
    "parse_schema",
]


class DataModelError(ValueError):
    """A migration uses DDL the docs generator cannot model; the message names it."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    default: str | None = None
    generated: str | None = None  # expression of a GENERATED ALWAYS AS … STORED column
    comment: str = ""  # COMMENT ON COLUMN; "API v2 and later: …" says which versions read it


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str  # schema-qualified
    ref_columns: tuple[str, ...]
    on_delete: str | None = None


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]  # column names or expressions such as ``lower(email)``
    unique: bool = False
    method: str | None = None  # ``gin``; None means the default (btree)
    where: str | None = None  # predicate of a partial index


@dataclass
class Table:
    schema: str
    name: str
    description: str = ""
    columns: list[Column] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    unique: list[tuple[str, ...]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.qualified_name} has no column {name!r}")


@dataclass
class Schema:
    name: str
    description: str = ""
    tables: list[Table] = field(default_factory=list)

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"schema {self.name!r} has no table {name!r}")


# sqlglot type -> PostgreSQL's canonical spelling (format_type)
_PG_TYPE_NAMES: dict[exp.DType, str] = {
    exp.DataType.Type.UUID: "uuid",
    exp.DataType.Type.TEXT: "text",
    exp.DataType.Type.VARCHAR: "character varying",
    exp.DataType.Type.CHAR: "character",
    exp.DataType.Type.TIMESTAMPTZ: "timestamp with time zone",
    exp.DataType.Type.TIMESTAMP: "timestamp without time zone",
    exp.DataType.Type.DATE: "date",
    exp.DataType.Type.BIGINT: "bigint",
    exp.DataType.Type.INT: "integer",
    exp.DataType.Type.SMALLINT: "smallint",
    exp.DataType.Type.BOOLEAN: "boolean",
    exp.DataType.Type.JSONB: "jsonb",
    exp.DataType.Type.JSON: "json",
    exp.DataType.Type.DECIMAL: "numeric",
    exp.DataType.Type.DOUBLE: "double precision",
    exp.DataType.Type.FLOAT: "real",
    exp.DataType.Type.VARBINARY: "bytea",
    exp.DataType.Type.INET: "inet",
    exp.DataType.Type.INTERVAL: "interval",
}


def _pg_type(data_type: exp.DataType) -> str:
    if data_type.this == exp.DataType.Type.ARRAY:
        return f"{_pg_type(data_type.expressions[0])}[]"
    if data_type.this == exp.DataType.Type.USERDEFINED:
        return str(data_type.args["kind"]).lower()
    name = _PG_TYPE_NAMES.get(data_type.this)
    if name is None:
        return data_type.sql(dialect="postgres").lower()
    params = [p.sql(dialect="postgres") for p in data_type.expressions]
    return f"{name}({','.join(params)})" if params else name


def _sql(node: exp.Expression) -> str:
    return node.sql(dialect="postgres")


def _names(nodes: Iterable[exp.Expression]) -> tuple[str, ...]:
    return tuple(node.name for node in nodes)


def _comment(statement: exp.Expression) -> str:
    return " ".join(c.strip() for c in statement.comments or []).strip()


def _foreign_key(columns: tuple[str, ...], reference: exp.Reference) -> ForeignKey:
    target = reference.this  # Schema(this=Table, expressions=[columns])
    table = target.this
    on_delete = None
    for option in reference.args.get("options") or []:
        text = str(option).upper()
        if text.startswith("ON DELETE "):
            on_delete = text.removeprefix("ON DELETE ")
    return ForeignKey(
        columns=columns,
        ref_table=f"{table.db}.{table.name}" if table.db else table.name,
        ref_columns=_names(target.expressions),
        on_delete=on_delete,
    )


def _add_column(table: Table, definition: exp.ColumnDef) -> None:
    name = definition.name
    nullable, default, generated = True, None, None
    for constraint in definition.args.get("constraints") or []:
        kind = constraint.args["kind"]
        if isinstance(kind, exp.NotNullColumnConstraint):
            nullable = bool(kind.args.get("allow_null"))
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            table.primary_key = (name,)
            nullable = False
        elif isinstance(kind, exp.UniqueColumnConstraint):
            table.unique.append((name,))
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = _sql(kind.this)
        elif isinstance(kind, exp.CheckColumnConstraint):
            table.checks.append(_sql(kind.this))
        elif isinstance(kind, exp.Reference):
            table.foreign_keys.append(_foreign_key((name,), kind))
        elif isinstance(kind, exp.ComputedColumnConstraint):
            generated = _sql(kind.this)
        elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            if kind.args.get("expression") is None:
                nullable = False  # an identity column is NOT NULL implicitly
            else:
                generated = _sql(kind.args["expression"])
        else:
            raise DataModelError(
                f"{table.qualified_name}.{name}: column constraint {_sql(constraint)!r} is not modelled"
            )
    table.columns.append(
        Column(
            name=name,
            type=_pg_type(definition.args["kind"]),
            nullable=nullable,
            default=default,
            generated=generated,
        )
    )


def _add_table_constraint(table: Table, node: exp.Expression) -> None:
    if isinstance(node, exp.Constraint):  # CONSTRAINT name <kind>
        for inner in node.expressions:
            _add_table_constraint(table, inner)
    elif isinstance(node, exp.PrimaryKey):
        table.primary_key = tuple(_sql(e).strip('"') for e in node.expressions)
    elif isinstance(node, exp.UniqueColumnConstraint):
        table.unique.append(_names(node.this.expressions))
    elif isinstance(node, exp.CheckColumnConstraint):
        table.checks.append(_sql(node.this))
    elif isinstance(node, exp.ForeignKey):
        table.foreign_keys.append(_foreign_key(_names(node.expressions), node.args["reference"]))
    else:
        raise DataModelError(
            f"{table.qualified_name}: table constraint {_sql(node)!r} is not modelled"
        )


def _create_table(statement: exp.Create, source: str, default_schema: str) -> Table:
    target = statement.this  # Schema(this=Table, expressions=[ColumnDef | constraint])
    table = Table(
        schema=target.this.db or default_schema,
        name=target.this.name,
        description=_comment(statement),
    )
    for item in target.expressions:
        if isinstance(item, exp.ColumnDef):
            _add_column(table, item)
        else:
            _add_table_constraint(table, item)
    verbatim = table_source(source)
    if len(verbatim.checks) == len(table.checks):
        table.checks = verbatim.checks
    table.columns = [
        replace(
            column,
            # PostgreSQL makes every primary-key column NOT NULL, whatever the column said.
            nullable=column.nullable and column.name not in table.primary_key,
            default=verbatim.defaults.get(column.name, column.default),
            generated=verbatim.generated.get(column.name, column.generated),
        )
        for column in table.columns
    ]
    return table


def _create_index(statement: exp.Create, source: str) -> tuple[str, Index]:
    index = statement.this
    params = index.args["params"]
    keys = [_sql(column) for column in params.args.get("columns") or []]
    method = params.args.get("using")
    where = params.args.get("where")
    verbatim = index_source(source)
    table = index.args["table"]
    return (
        f"{table.db}.{table.name}",
        Index(
            name=index.name,
            keys=tuple(verbatim.keys if len(verbatim.keys) == len(keys) else keys),
            unique=bool(statement.args.get("unique")),
            method=method.name.lower() if method is not None else None,
            where=(verbatim.where or _sql(where.this)) if where is not None else None,
        ),
    )


def parse_schema(name: str, migrations: Iterable[Migration], dialect: str = POSTGRES) -> Schema:
    """Replay one service's migrations (in version order, written in ``dialect``) into its
    schema model."""
    schema = Schema(name=name)
    tables: dict[str, Table] = {}
    sqlglot_log = logging.getLogger("sqlglot")
    for migration in migrations:
        for source in split_statements(migration.sql()):
            # sqlglot logs a warning for every function body it keeps as an opaque command
            level = sqlglot_log.level
            sqlglot_log.setLevel(logging.ERROR)
            try:
                statement = sqlglot.parse_one(source, read=dialect)
            except sqlglot.errors.ParseError as exc:
                raise DataModelError(f"{migration.path}: cannot parse: {exc}") from exc
            finally:
                sqlglot_log.setLevel(level)
            _apply(statement, source, schema, tables, migration.path)
    schema.tables = list(tables.values())
    return schema


def _apply(
    statement: exp.Expr, source: str, schema: Schema, tables: dict[str, Table], path: Path
) -> None:
    kind = str(statement.args.get("kind") or "").upper()
    if isinstance(statement, exp.Create) and kind == "SCHEMA":
        schema.description = schema.description or _comment(statement)
    elif isinstance(statement, exp.Create) and kind == "TABLE":
        table = _create_table(statement, source, schema.name)
        tables[table.qualified_name] = table
    elif isinstance(statement, exp.Create) and kind == "INDEX":
        table_name, index = _create_index(statement, source)
        if table_name not in tables:
            raise DataModelError(f"{path}: index {index.name} on unknown table {table_name}")
        tables[table_name].indexes.append(index)
    elif isinstance(statement, exp.Alter) and all(
        _modelled_alter(action) for action in statement.args.get("actions") or []
    ):
        target = statement.this
        table = tables[f"{target.db or schema.name}.{target.name}"]
        for action in statement.args["actions"]:
            if isinstance(action, exp.ColumnDef):
                _add_column(table, action)
            elif isinstance(action, exp.AddConstraint):
                for constraint in action.expressions:
                    _add_table_constraint(table, constraint)
            else:  # ALTER COLUMN … SET NOT NULL (a column added, backfilled, then required)
                table.columns = [
                    dataclasses.replace(c, nullable=False) if c.name == action.this.name else c
                    for c in table.columns
                ]
    elif isinstance(statement, exp.Drop) and kind == "INDEX":
        _drop_indexes(statement, schema.name, tables, path)
    elif isinstance(statement, exp.Comment) and str(statement.args.get("kind")).upper() == "TABLE":
        target = statement.this
        tables[f"{target.db or schema.name}.{target.name}"].description = statement.expression.name
    elif isinstance(statement, exp.Comment) and str(statement.args.get("kind")).upper() == "COLUMN":
        target = statement.this  # Column(this=column, table=table, db=schema)
        table = tables[f"{target.args.get('db') or schema.name}.{target.table}"]
        table.columns = [
            replace(column, comment=statement.expression.name)
            if column.name == target.name
            else column
            for column in table.columns
        ]
    elif isinstance(statement, (exp.Alter, exp.Drop)):
        raise DataModelError(
            f"{path}: {_sql(statement)[:80]!r} changes tables in a way the docs generator does "
            "not model yet; extend refarch/docsgen/ddl_model.py"
        )
    # functions, triggers and other commands do not change the table shapes documented here


def _modelled_alter(action: exp.Expression) -> bool:
    """ADD COLUMN, ADD CONSTRAINT and ALTER COLUMN … SET NOT NULL change what the pages show."""
    if isinstance(action, exp.AlterColumn):
        return action.args.get("allow_null") is False and len(action.args) <= 3
    return isinstance(action, (exp.ColumnDef, exp.AddConstraint))


def _drop_indexes(
    statement: exp.Drop, default_schema: str, tables: dict[str, Table], path: Path
) -> None:
    """``DROP INDEX [IF EXISTS] schema.name, ...``: index names are unique per schema."""
    for target in statement.args.get("tables") or []:
        index_schema = target.db or default_schema
        owners = [
            table
            for table in tables.values()
            if table.schema == index_schema and any(i.name == target.name for i in table.indexes)
        ]
        if not owners and not statement.args.get("exists"):
            raise DataModelError(
                f"{path}: DROP INDEX of unknown index {index_schema}.{target.name}"
            )
        for table in owners:
            table.indexes = [i for i in table.indexes if i.name != target.name]


def load_data_model(root: Path | None = None) -> list[Schema]:
    """Every service schema, from its migrations: PostgreSQL's, and any folder in another
    dialect (the analytics store's DuckDB), each parsed in its own dialect."""
    by_service: dict[str, list[Migration]] = {}
    for migration in discover(root, dialect=None):
        by_service.setdefault(migration.service, []).append(migration)
    return [
        parse_schema(service, migrations, dialect_of(migrations[0].path.parent))
        for service, migrations in by_service.items()
    ]
