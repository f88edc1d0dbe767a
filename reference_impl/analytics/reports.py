"""The reports: SQL over the analytics store's facts, aggregated when asked.

Each function takes the store's DuckDB connection and returns domain rows. Periods are
cut in the range's time zone (DuckDB's ICU ``timezone()``), and the range itself is
turned into two instants first so DuckDB can skip whole row groups by ``placed_at``.
Revenue always comes from the lines (unit amount x quantity), so a category filter and
the unfiltered report add up the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import duckdb

from refarch.reference_impl.analytics.domain import (
    GRANULARITIES,
    CustomerFigures,
    Funnel,
    LowStockRow,
    Progress,
    ReportRange,
    SalesRow,
    TopProductRow,
)

__all__ = ["customers", "funnel", "low_stock", "progress", "sales", "top_products"]

#: Orders placed in the range whose lines count: all of them, or those with a line in the
#: category (the lines themselves are filtered again where units and revenue are summed).
_LINES_IN_RANGE = """
    SELECT o.order_id, o.user_id, o.placed_at, o.currency, ol.product_id, ol.quantity,
           ol.quantity * ol.unit_amount AS amount
    FROM orders AS o
    INNER JOIN order_lines AS ol ON o.order_id = ol.order_id
    LEFT JOIN products AS p ON ol.product_id = p.product_id
    WHERE o.placed_at >= $start AND o.placed_at < $end
      AND ($category IS NULL OR p.category_id = $category)
"""


def _params(report: ReportRange, **more: Any) -> dict[str, Any]:
    start, end = report.bounds()
    return {"start": start, "end": end, "category": report.category_id, **more}


def sales(con: duckdb.DuckDBPyConnection, report: ReportRange, granularity: str) -> list[SalesRow]:
    if granularity not in GRANULARITIES:  # spliced into the SQL below: only known words
        raise ValueError(f"unknown granularity {granularity!r}")
    rows = con.execute(
        f"""
        WITH lines AS ({_LINES_IN_RANGE}),
        per_order AS (
            SELECT order_id, currency,
                   CAST(date_trunc('{granularity}', CAST(timezone($tz, placed_at) AS DATE))
                        AS DATE) AS period_start,
                   sum(quantity) AS units, sum(amount) AS amount
            FROM lines GROUP BY order_id, currency, placed_at
        ),
        cancelled AS (
            SELECT order_id, from_status FROM order_states WHERE status = 'cancelled'
        )
        SELECT period_start, currency, count(*) AS orders, sum(units) AS units,
               sum(amount) AS revenue, count(c.order_id) AS cancellations,
               coalesce(sum(amount) FILTER (WHERE c.order_id IS NOT NULL), 0),
               coalesce(sum(amount) FILTER (WHERE c.from_status = 'paid'), 0)
        FROM per_order LEFT JOIN cancelled AS c USING (order_id)
        GROUP BY period_start, currency
        ORDER BY period_start, currency
        """,
        _params(report, tz=report.tz),
    ).fetchall()
    return [
        SalesRow(row[0], row[1], row[2], int(row[3]), int(row[4]), row[5], int(row[6]), int(row[7]))
        for row in rows
    ]


def top_products(
    con: duckdb.DuckDBPyConnection, report: ReportRange, *, by: str, currency: str, limit: int
) -> list[TopProductRow]:
    rank = "revenue" if by == "revenue" else "units"
    rows = con.execute(
        f"""
        WITH lines AS ({_LINES_IN_RANGE})
        SELECT l.product_id, p.sku, p.name, p.category_id, count(DISTINCT l.order_id) AS orders,
               sum(l.quantity) AS units, sum(l.amount) AS revenue
        FROM lines AS l
        LEFT JOIN products AS p ON l.product_id = p.product_id
        WHERE l.currency = $currency
          AND l.order_id NOT IN (
              SELECT order_id FROM order_states WHERE status = 'cancelled'
          )
        GROUP BY l.product_id, p.sku, p.name, p.category_id
        ORDER BY {rank} DESC, CAST(l.product_id AS VARCHAR)
        LIMIT $limit
        """,
        _params(report, currency=currency, limit=limit),
    ).fetchall()
    return [
        TopProductRow(row[0], row[1], row[2], row[3], row[4], int(row[5]), int(row[6]), currency)
        for row in rows
    ]


def funnel(con: duckdb.DuckDBPyConnection, report: ReportRange) -> Funnel:
    row = con.execute(
        f"""
        WITH placed AS (SELECT DISTINCT order_id, placed_at FROM ({_LINES_IN_RANGE})),
        reached AS (
            SELECT p.order_id, p.placed_at,
                   max(s.reached_at) FILTER (WHERE s.status = 'paid') AS paid_at,
                   max(s.reached_at) FILTER (WHERE s.status = 'shipped') AS shipped_at,
                   max(s.reached_at) FILTER (WHERE s.status = 'delivered') AS delivered_at,
                   count(s.order_id) FILTER (WHERE s.status = 'cancelled') AS cancelled
            FROM placed AS p LEFT JOIN order_states AS s ON p.order_id = s.order_id
            GROUP BY p.order_id, p.placed_at
        )
        SELECT count(*), count(paid_at), count(shipped_at), count(delivered_at),
               count(*) FILTER (WHERE cancelled > 0),
               median(epoch_us(paid_at) - epoch_us(placed_at)) / 1e6,
               median(epoch_us(shipped_at) - epoch_us(paid_at)) / 1e6,
               median(epoch_us(delivered_at) - epoch_us(shipped_at)) / 1e6
        FROM reached
        """,
        _params(report),
    ).fetchone()
    assert row is not None  # an aggregate without GROUP BY always answers one row
    return Funnel(*row)


def customers(
    con: duckdb.DuckDBPyConnection, report: ReportRange, *, within_days: int
) -> CustomerFigures:
    row = con.execute(
        """
        WITH newcomers AS (
            SELECT user_id, registered_at FROM customers
            WHERE registered_at >= $start AND registered_at < $end AND role = 'customer'
        ),
        ordered AS (
            SELECT DISTINCT n.user_id
            FROM newcomers AS n
            INNER JOIN orders AS o ON n.user_id = o.user_id
            WHERE o.placed_at >= n.registered_at
              AND o.placed_at < n.registered_at + to_days(CAST($days AS INTEGER))
              AND ($category IS NULL OR EXISTS (
                  SELECT 1 FROM order_lines AS ol
                  INNER JOIN products AS p ON ol.product_id = p.product_id
                  WHERE ol.order_id = o.order_id AND p.category_id = $category
              ))
        )
        SELECT (SELECT count(*) FROM newcomers), (SELECT count(*) FROM ordered)
        """,
        _params(report, days=within_days),
    ).fetchone()
    assert row is not None
    return CustomerFigures(row[0], row[1])


def low_stock(
    con: duckdb.DuckDBPyConnection,
    *,
    threshold: int,
    category_id: UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[LowStockRow], int]:
    where = "stock IS NOT NULL AND stock <= $threshold AND ($category IS NULL OR category_id = $category)"
    params = {"threshold": threshold, "category": category_id}
    total_row = con.execute(f"SELECT count(*) FROM products WHERE {where}", params).fetchone()
    rows = con.execute(
        f"SELECT product_id, sku, name, category_id, stock, price_amount, currency FROM products"
        f" WHERE {where} ORDER BY stock, sku, CAST(product_id AS VARCHAR)"
        " LIMIT $limit OFFSET $offset",
        {**params, "limit": limit, "offset": offset},
    ).fetchall()
    return [LowStockRow(*row) for row in rows], total_row[0] if total_row else 0


def progress(con: duckdb.DuckDBPyConnection) -> Progress:
    # Instants leave DuckDB as epoch microseconds: fetching a TIMESTAMPTZ would need pytz.
    row = con.execute("SELECT count(*), epoch_us(max(occurred_at)) FROM applied_events").fetchone()
    assert row is not None
    last = None if row[1] is None else datetime.fromtimestamp(row[1] / 1e6, UTC)
    return Progress(row[0], last)
