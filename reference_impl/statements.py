"""The only statements the repositories assemble from pieces: a page of a list, and a
partial update.

Every piece of SQL text comes from a fixed set written in the repositories (filter
fragments, table and column names chosen by the service); only values travel, as ``$n``
parameters, never text from a request (ADR 0008).
"""

from __future__ import annotations

from typing import Any

import asyncpg

from refarch.reference_impl.unit_of_work import Executor

__all__ = ["Filters", "fetch_page", "update_returning"]


class Filters:
    """Optional filters joined with AND; ``{}`` in a fragment marks where its value goes."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.args: list[Any] = []

    def add(self, fragment: str, value: Any) -> None:
        self.args.append(value)
        self.conditions.append(fragment.format(f"${len(self.args)}"))

    def add_when(self, fragment: str, value: Any) -> None:
        """Add the filter only when the client asked for it (``value`` is not None)."""
        if value is not None:
            self.add(fragment, value)

    def add_fixed(self, fragment: str) -> None:
        """A condition with no value, e.g. ``stock > 0``."""
        self.conditions.append(fragment)

    @property
    def where(self) -> str:
        return f"WHERE {' AND '.join(self.conditions)}" if self.conditions else ""


async def fetch_page(
    db: Executor,
    *,
    columns: str,
    table: str,
    filters: Filters,
    order_by: str,
    limit: int,
    offset: int,
) -> tuple[list[asyncpg.Record], int]:
    """One page of rows plus the total matching the filters.

    The total comes from ``count(*) OVER ()`` in the same query; past the last page there is
    no row to carry it, so a second, plain count answers instead.
    """
    n = len(filters.args)
    rows: list[asyncpg.Record] = await db.fetch(
        f"SELECT {columns}, count(*) OVER () AS total FROM {table} {filters.where}"
        f" ORDER BY {order_by} LIMIT ${n + 1} OFFSET ${n + 2}",
        *filters.args,
        limit,
        offset,
    )
    if rows:
        return rows, int(rows[0]["total"])
    total = await db.fetchval(f"SELECT count(*) FROM {table} {filters.where}", *filters.args)
    return rows, int(total)


async def update_returning(
    db: Executor, *, table: str, row_id: Any, changes: dict[str, Any], columns: str
) -> asyncpg.Record | None:
    """Set the given columns of one row (and ``updated_at``); the row after, or None if absent.

    Column names come from the service's fixed set of updatable fields, never from the client.
    """
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(changes, start=2))
    row: asyncpg.Record | None = await db.fetchrow(
        f"UPDATE {table} SET {assignments}, updated_at = now() WHERE id = $1 RETURNING {columns}",
        row_id,
        *changes.values(),
    )
    return row
