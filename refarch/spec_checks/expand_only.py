"""SQL1xx: a migration only *expands* the schema an older, still-served API version reads.

v1 and v2 are served at once from one database (ADR 0043), so every migration after a
service's first runs under clients of every published version. Expand/contract: add, never
take away. A migration may not drop or rename a table or column that existed before it,
add a NOT NULL column without a default (the old version's INSERTs leave it out), make an
existing column NOT NULL, narrow a column's type, or drop a default an old INSERT relies on.
Objects created in the same migration are free to change.

Once the last version reading an object is retired, the contract step is a migration with a
``-- contract: <why>`` comment line (e.g. ``-- contract: v1 retired on 2027-06-01``): it is
exempt, and the reason is in the history for reviewers.

The migrations are parsed with sqlglot (PostgreSQL dialect), not matched with regexes;
statements sqlglot cannot parse are reported by SQL002 (sqlfluff) and skipped here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

from refarch.migrate import MigrationError, discover
from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import SpecLayout

__all__ = ["RULES", "check_expand_only"]

RULES: dict[str, str] = {
    "SQL101": "a migration drops or renames no table that existed before it (expand-only)",
    "SQL102": "a migration drops no column that existed before it (expand-only)",
    "SQL103": "a migration renames no column that existed before it (expand-only)",
    "SQL104": "a column added to an existing table is nullable or has a default",
    "SQL105": "a migration makes no existing column NOT NULL",
    "SQL106": "a migration only widens an existing column's type (varchar(200)->(100), bigint->integer are narrowing)",
    "SQL107": "a migration drops no default of an existing column",
}

_CONTRACT = re.compile(r"^\s*--\s*contract:\s*\S", re.MULTILINE)
_INTEGER_RANK = {
    exp.DataType.Type.SMALLINT: 1,
    exp.DataType.Type.INT: 2,
    exp.DataType.Type.BIGINT: 3,
}
_UNBOUNDED_TEXT = {exp.DataType.Type.TEXT}
_BOUNDED_TEXT = {exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR}


@dataclass
class _Column:
    dtype: exp.DataType | None
    has_default: bool


@dataclass
class _Migration:
    """What one migration may change freely: the objects it created itself."""

    path: Path
    new_tables: set[str] = field(default_factory=set)
    new_columns: set[tuple[str, str]] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    def flag(self, node: exp.Expression, rule: str, message: str, hint: str) -> None:
        line, col = _position(node)
        self.findings.append(Finding(self.path, line, col, rule, message, hint))


def _position(node: exp.Expression) -> tuple[int, int]:
    for identifier in node.find_all(exp.Identifier):
        if "line" in identifier.meta:
            return int(identifier.meta["line"]), int(identifier.meta.get("col", 1))
    return 1, 1


def _table_name(table: exp.Expression) -> str:
    assert isinstance(table, exp.Table)
    return f"{table.db}.{table.name}" if table.db else table.name


def _param(dtype: exp.DataType, index: int) -> int | None:
    params = dtype.expressions
    if index >= len(params):
        return None
    value = params[index].this if isinstance(params[index], exp.DataTypeParam) else params[index]
    return int(value.name) if isinstance(value, exp.Literal) and value.name.isdigit() else None


def _widens(old: exp.DataType, new: exp.DataType) -> bool:
    """True when every value of ``old`` fits ``new`` unchanged."""
    if old.sql("postgres") == new.sql("postgres"):
        return True
    if old.this in _INTEGER_RANK and new.this in _INTEGER_RANK:
        return _INTEGER_RANK[new.this] >= _INTEGER_RANK[old.this]
    if old.this in _BOUNDED_TEXT | _UNBOUNDED_TEXT and new.this in _BOUNDED_TEXT | _UNBOUNDED_TEXT:
        old_length = None if old.this in _UNBOUNDED_TEXT else _param(old, 0)
        new_length = None if new.this in _UNBOUNDED_TEXT else _param(new, 0)
        return new_length is None or (old_length is not None and new_length >= old_length)
    if old.this == new.this == exp.DataType.Type.DECIMAL:
        old_p, old_s = _param(old, 0), _param(old, 1) or 0
        new_p, new_s = _param(new, 0), _param(new, 1) or 0
        if new_p is None:
            return True  # unconstrained numeric holds any numeric
        return old_p is not None and new_s >= old_s and new_p - new_s >= old_p - old_s
    if old.this in _INTEGER_RANK and new.this == exp.DataType.Type.DECIMAL:
        return _param(new, 0) is None
    return False


def _column_def(definition: exp.ColumnDef) -> _Column:
    kinds = [c.args.get("kind") for c in definition.args.get("constraints") or []]
    has_default = any(isinstance(k, exp.DefaultColumnConstraint) for k in kinds)
    dtype = definition.args.get("kind")
    return _Column(dtype if isinstance(dtype, exp.DataType) else None, has_default)


def _not_null(definition: exp.ColumnDef) -> bool:
    kinds = [c.args.get("kind") for c in definition.args.get("constraints") or []]
    return any(
        (isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null"))
        or isinstance(k, exp.PrimaryKeyColumnConstraint)
        for k in kinds
    )


class _SchemaState:
    """The tables and columns the migrations applied so far have built."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, _Column]] = {}

    def apply(self, statement: exp.Expression, migration: _Migration) -> None:
        if isinstance(statement, exp.Create) and statement.kind == "TABLE":
            self._create(statement, migration)
        elif isinstance(statement, exp.Drop) and statement.kind == "TABLE":
            for table in statement.args.get("tables") or []:
                name = _table_name(table)
                if self._protected(name, migration):
                    migration.flag(
                        table,
                        "SQL101",
                        f"drops table {name}, which an older API version still reads",
                        "keep the table until the last version reading it is retired, then "
                        "drop it in a migration marked `-- contract: <why>`",
                    )
                self.tables.pop(name, None)
        elif isinstance(statement, exp.Alter) and statement.kind == "TABLE":
            name = _table_name(statement.this)
            for action in statement.args.get("actions") or []:
                self._alter(name, action, migration)

    def _protected(self, table: str, migration: _Migration) -> bool:
        return table in self.tables and table not in migration.new_tables

    def _old_column(self, table: str, column: str, migration: _Migration) -> _Column | None:
        if not self._protected(table, migration) or (table, column) in migration.new_columns:
            return None
        return self.tables[table].get(column)

    def _create(self, statement: exp.Create, migration: _Migration) -> None:
        schema = statement.this
        if not isinstance(schema, exp.Schema):
            return  # CREATE TABLE ... AS SELECT: nothing an older version could read yet
        name = _table_name(schema.this)
        migration.new_tables.add(name)
        self.tables[name] = {
            d.name: _column_def(d) for d in schema.expressions if isinstance(d, exp.ColumnDef)
        }

    def _alter(self, table: str, action: exp.Expression, migration: _Migration) -> None:
        columns = self.tables.setdefault(table, {})
        if isinstance(action, exp.AlterRename):
            if self._protected(table, migration):
                migration.flag(
                    action,
                    "SQL101",
                    f"renames table {table}, which an older API version still reads",
                    "create the new table beside the old one (or a view with the old name) "
                    "and copy or sync the data; drop the old one in a contract migration",
                )
            new_name = _table_name(action.this)
            if "." not in new_name and "." in table:
                new_name = f"{table.split('.')[0]}.{new_name}"
            self.tables[new_name] = self.tables.pop(table)
        elif isinstance(action, exp.Drop) and action.kind == "COLUMN":
            for column in action.args.get("tables") or []:
                if self._old_column(table, column.name, migration) is not None:
                    migration.flag(
                        column,
                        "SQL102",
                        f"drops column {table}.{column.name}, which an older API version still reads",
                        "stop writing it, keep it until that version is retired, then drop it "
                        "in a migration marked `-- contract: <why>`",
                    )
                columns.pop(column.name, None)
        elif isinstance(action, exp.RenameColumn):
            old_name, new_name = action.this.name, action.args["to"].name
            if self._old_column(table, old_name, migration) is not None:
                migration.flag(
                    action,
                    "SQL103",
                    f"renames column {table}.{old_name} to {new_name}; an older API version still "
                    f"reads {old_name}",
                    "add the new column, write both (or a generated column) until the older "
                    "version is retired, then drop the old one in a contract migration",
                )
            if old_name in columns:
                columns[new_name] = columns.pop(old_name)
        elif isinstance(action, exp.ColumnDef):
            if (
                _not_null(action)
                and not _column_def(action).has_default
                and self._protected(table, migration)
            ):
                migration.flag(
                    action,
                    "SQL104",
                    f"adds NOT NULL column {table}.{action.name} without a default: an older API "
                    "version's INSERTs leave it out and fail",
                    "give it a DEFAULT, or add it nullable, backfill, and enforce NOT NULL once "
                    "no served version inserts without it",
                )
            columns[action.name] = _column_def(action)
            migration.new_columns.add((table, action.name))
        elif isinstance(action, exp.AlterColumn):
            self._alter_column(table, action, migration)

    def _alter_column(self, table: str, action: exp.AlterColumn, migration: _Migration) -> None:
        name = action.this.name
        old = self._old_column(table, name, migration)
        column = self.tables[table].setdefault(name, _Column(None, False))
        if action.args.get("allow_null") is False and old is not None:
            migration.flag(
                action,
                "SQL105",
                f"makes existing column {table}.{name} NOT NULL: an older API version that leaves "
                "it empty starts failing",
                "keep it nullable while that version is served (check NOT NULL in the new "
                "version's code), or give it a default first",
            )
        if action.args.get("drop") and old is not None and old.has_default:
            migration.flag(
                action,
                "SQL107",
                f"drops the default of {table}.{name}: an older API version's INSERTs rely on it",
                "keep the default until every version that omits the column is retired",
            )
        if action.args.get("drop"):
            column.has_default = False
        new_type = action.args.get("dtype")
        if isinstance(new_type, exp.DataType):
            if old is not None and old.dtype is not None and not _widens(old.dtype, new_type):
                migration.flag(
                    action,
                    "SQL106",
                    f"changes {table}.{name} from {old.dtype.sql('postgres')} to "
                    f"{new_type.sql('postgres')}: values an older API version writes may no "
                    "longer fit",
                    "only widen while an older version is served (varchar(100)->(200), "
                    "integer->bigint); narrow in a contract migration",
                )
            column.dtype = new_type


def check_expand_only(layout: SpecLayout) -> list[Finding]:
    try:
        migrations = discover(layout.root)
    except MigrationError:
        return []  # misnamed files: SQL001 already says so
    state = _SchemaState()
    findings: list[Finding] = []
    for migration in migrations:
        text = migration.path.read_text(encoding="utf-8")
        # sqlglot logs a warning for every function body it keeps as an opaque command
        sqlglot_log = logging.getLogger("sqlglot")
        level = sqlglot_log.level
        sqlglot_log.setLevel(logging.ERROR)
        try:
            statements = sqlglot.parse(text, read="postgres")
        except sqlglot.errors.SqlglotError:
            continue  # SQL002 (sqlfluff) reports what does not parse
        finally:
            sqlglot_log.setLevel(level)
        current = _Migration(migration.path)
        for statement in statements:
            if isinstance(statement, exp.Expression):
                state.apply(statement, current)
        # the first migration of a service builds its schema; no version read it before
        if migration.version > 1 and not _CONTRACT.search(text):
            findings += current.findings
    return findings
