"""One page of rows plus the total, for every list operation of every service.

The WHERE clause is assembled from fixed SQL fragments written in the repositories; only
values travel as ``$n`` parameters, never text from a request (ADR 0008). The total comes
from ``count(*) OVER ()`` in the same query; past the last page there is no row to carry
it, so a second, plain count answers instead.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from reference_impl.unit_of_work import Executor

__all__ = ["Filters", "fetch_page"]


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
