"""Data model pages: one per service schema, with an ER diagram and a section per table."""

from __future__ import annotations

import re

from refarch.docsgen.ddl_model import Column, Schema, Table
from refarch.docsgen.markdown import GENERATED_NOTICE, code, fenced, field_name, table

__all__ = ["er_diagram", "render_schema_page", "table_anchor"]


def table_anchor(table_: Table) -> str:
    """Heading id of a table's section, e.g. ``orders-order_items``."""
    return f"{table_.schema}-{table_.name}"


def _mermaid_type(pg_type: str) -> str:
    # mermaid attribute types are single words: ``timestamp with time zone`` -> ``timestamptz``
    short = {
        "timestamp with time zone": "timestamptz",
        "timestamp without time zone": "timestamp",
        "character varying": "varchar",
        "character": "char",
        "double precision": "float8",
    }
    base, brackets = re.subn(r"\[\]$", "", pg_type)
    base = re.sub(r"\(.*\)$", "", base)
    word = short.get(base, base).replace(" ", "_")
    return f"{word}_array" if brackets else word


def er_diagram(schema: Schema) -> str:
    """A mermaid ``erDiagram``: tables with typed columns and key markers, FKs as relations."""
    lines = ["erDiagram"]
    for tbl in schema.tables:
        fk_columns = {c for fk in tbl.foreign_keys for c in fk.columns}
        unique_columns = {u[0] for u in tbl.unique if len(u) == 1}
        lines.append(f"    {tbl.name} {{")
        for column in tbl.columns:
            keys = [
                marker
                for marker, present in (
                    ("PK", column.name in tbl.primary_key),
                    ("FK", column.name in fk_columns),
                    ("UK", column.name in unique_columns),
                )
                if present
            ]
            suffix = f" {', '.join(keys)}" if keys else ""
            lines.append(f"        {_mermaid_type(column.type)} {column.name}{suffix}")
        lines.append("    }")
    for tbl in schema.tables:
        for fk in tbl.foreign_keys:
            ref_schema, _, ref_name = fk.ref_table.rpartition(".")
            if ref_schema and ref_schema != schema.name:
                continue  # never happens by design: no cross-schema foreign keys
            optional = all(tbl.column(c).nullable for c in fk.columns)
            parent_side = "|o" if optional else "||"
            lines.append(
                f'    {ref_name} {parent_side}--o{{ {tbl.name} : "{", ".join(fk.columns)}"'
            )
    return fenced("mermaid", "\n".join(lines))


#: A column comment that starts "API v2 and later:" is read only by those versions.
_SINCE_VERSION = re.compile(r"^API (v\d+) and later\b")


def _version_number(version: str) -> int:
    return int(version.lstrip("v") or 0)


def column_since(column: Column) -> str | None:
    """The first API version that reads the column, when its comment says so."""
    found = _SINCE_VERSION.match(column.comment)
    return found.group(1) if found else None


def _columns_table(tbl: Table, version: str) -> str:
    rows = []
    for column in tbl.columns:
        notes = []
        since = column_since(column)
        if since is not None and _version_number(version) < _version_number(since):
            notes.append(f"**not read by the {version} API** (added for {since})")
        if column.comment:
            notes.append(column.comment)
        if column.name in tbl.primary_key:
            notes.append("primary key")
        if (column.name,) in tbl.unique:
            notes.append("unique")
        for fk in tbl.foreign_keys:
            if fk.columns == (column.name,):
                notes.append(f"→ {fk.ref_table}({', '.join(fk.ref_columns)})")
        if column.generated:
            notes.append(f"generated from {code(column.generated)}")
        if column.default:
            notes.append(f"default {code(column.default)}")
        # three columns, not five: the table fits a phone without scrolling sideways
        rows.append(
            [
                field_name(column.name),
                code(column.type) + ("" if column.nullable else " not null"),
                "; ".join(notes),
            ]
        )
    return table(["Column", "Type", "Notes"], rows)


def _constraints_table(tbl: Table) -> str | None:
    rows: list[list[str]] = []
    if len(tbl.primary_key) > 1:
        rows.append(["primary key", code(", ".join(tbl.primary_key))])
    rows.extend(["unique", code(", ".join(u))] for u in tbl.unique if len(u) > 1)
    for fk in tbl.foreign_keys:
        action = f" on delete {fk.on_delete.lower()}" if fk.on_delete else ""
        rows.append(
            [
                "foreign key",
                f"{code(', '.join(fk.columns))} → {code(fk.ref_table)}"
                f"({', '.join(fk.ref_columns)}){action}",
            ]
        )
    rows.extend(["check", code(check)] for check in tbl.checks)
    if not rows:
        return None
    return table(["Constraint", "Definition"], rows)


def _indexes_table(tbl: Table) -> str | None:
    if not tbl.indexes:
        return None
    rows = [
        [
            code(index.name),
            code(", ".join(index.keys)),
            "; ".join(
                part
                for part in (
                    "unique" if index.unique else "",
                    index.method or "btree",
                    f"only rows where {code(index.where)}" if index.where else "",
                )
                if part
            ),
        ]
        for index in tbl.indexes
    ]
    return table(["Index", "Keys", "Notes"], rows)


def render_schema_page(schema: Schema, version: str, *, has_api_page: bool = False) -> str:
    api_link = (
        f" The operations that read and write it are in the [{schema.name} API reference]"
        f"(../api/{schema.name}.md)."
        if has_api_page
        else ""
    )
    sections = [
        GENERATED_NOTICE,
        f"# Data model: `{schema.name}` schema",
        f"Generated from `specs/sql/{schema.name}/`, the append-only migrations the service "
        f"applies at start-up (docs version {version}).{api_link}",
    ]
    if schema.description:
        sections.append(schema.description)
    gated = [
        (tbl, column, since)
        for tbl in schema.tables
        for column in tbl.columns
        if (since := column_since(column)) is not None
    ]
    if gated:
        sections.append("## Columns by API version")
        sections.append(
            "Every API version reads every column except these, which later versions added "
            "(expand/contract: older versions neither read nor write them, and the defaults keep "
            "their rows valid)."
        )
        sections.append(
            table(
                ["Column", f"Read by the {version} API", "Read from"],
                [
                    [
                        code(f"{tbl.name}.{column.name}"),
                        "yes" if _version_number(version) >= _version_number(since) else "no",
                        since,
                    ]
                    for tbl, column, since in gated
                ],
            )
        )
    sections.append("## Entity relationships")
    sections.append(er_diagram(schema))
    sections.append(
        table(
            ["Table", "Purpose"],
            [
                [
                    f"[{tbl.name}](#{table_anchor(tbl)})<br>"
                    f"{len(tbl.columns)} columns, {len(tbl.indexes)} indexes",
                    tbl.description,
                ]
                for tbl in schema.tables
            ],
        )
    )
    for tbl in schema.tables:
        sections.append(f"## `{tbl.qualified_name}` {{ #{table_anchor(tbl)} }}")
        if tbl.description:
            sections.append(tbl.description)
        sections.append(_columns_table(tbl, version))
        for heading, block in (
            ("Constraints", _constraints_table(tbl)),
            ("Indexes", _indexes_table(tbl)),
        ):
            if block:
                sections.append(f"**{heading}**")
                sections.append(block)
    return "\n\n".join(sections) + "\n"
