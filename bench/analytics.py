"""Analytics benchmark: the service's code side by side with bare DuckDB, in one run.

Printed, for a history of 100,000 and of 1,000,000 orders (generated in DuckDB's own SQL,
so building it takes seconds, not the hours replaying that many events would):

* ingestion: events/s through the consumer's code (``Intake.ingest``: JSON parse, schema
  check against the AsyncAPI contract, de-duplication against the ledger, facts written
  in one transaction per broker batch) vs. a bare DuckDB insert of exactly the rows that
  code writes, prepared in advance, in batches of the same size (target >= 0.3);
* query latency p50/p99 of each report through the service and handlers (thread hop,
  range checks, rows to JSON) vs. the very SQL those reports sent, run directly on the
  DuckDB connection (target >= 0.7, the ratio of the p50s);
* how both grow from 100k to 1M orders.

Runs alternate the two sides so a noisy neighbour hits both. No broker and no HTTP: the
consumer's broker I/O and the gateway are measured elsewhere (issue 12's benchmark,
``make bench``).

    nice -n 15 .venv/bin/python -m bench.analytics [--sizes 100000 1000000] [--repeats 25]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson

from refarch.reference_impl.analytics.domain import (
    OrderPlacedFact,
    OrderStateFact,
    StockFact,
    event_record,
    facts_of,
)
from refarch.reference_impl.analytics.handlers import AnalyticsHandlers
from refarch.reference_impl.analytics.intake import Intake
from refarch.reference_impl.analytics.service import AnalyticsService
from refarch.reference_impl.analytics.store import AnalyticsStore
from refarch.reference_impl.platform.contract import ApiRequest

BATCH = 100  # the broker's batch size (JetStreamBroker's default)
INGEST_ORDERS = 4000  # each brings ~5 events: placed, 2 stock changes, 1-2 transitions
PRODUCTS = 10_000
CATEGORIES = 50
START = datetime(2025, 1, 1, tzinfo=UTC)


# --- the generated history ------------------------------------------------------------------


def generate_history(con: duckdb.DuckDBPyConnection, orders: int) -> None:
    """Fill the store's tables with ``orders`` orders over a year, in SQL."""
    customers = max(1000, orders // 5)
    con.execute("BEGIN TRANSACTION")
    con.execute(
        f"""
        INSERT INTO products
        SELECT uuid(), 'SKU-' || i, 'Product ' || i,
               md5(CAST(i % {CATEGORIES} AS VARCHAR))::UUID, 100 + (i * 37) % 9900, 'EUR', 1,
               (i * 13) % 200, 1
        FROM range({PRODUCTS}) AS t(i)
        """
    )
    con.execute(
        f"""
        INSERT INTO customers
        SELECT uuid(), TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i * 31536000 // {customers}),
               'customer', 1, FALSE
        FROM range({customers}) AS t(i)
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE gen_orders AS
        SELECT uuid() AS order_id, i,
               TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i * 31536000 // {orders}) AS placed_at,
               hash(i) % 100 AS fate
        FROM range({orders}) AS t(i)
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE gen_lines AS
        SELECT o.order_id, p.product_id, 1 + (o.i + l) % 3 AS quantity, p.price_amount AS unit_amount
        FROM gen_orders AS o, range(1 + CAST(o.i % 3 AS INTEGER)) AS r(l)
        INNER JOIN (SELECT product_id, price_amount, row_number() OVER () - 1 AS n FROM products) AS p
            ON p.n = (o.i * 7 + l * 101) % {PRODUCTS}
        """
    )
    con.execute(
        f"""
        INSERT INTO orders
        SELECT o.order_id, c.user_id, o.placed_at, 'EUR', t.total
        FROM gen_orders AS o
        INNER JOIN (SELECT order_id, sum(quantity * unit_amount) AS total FROM gen_lines
                    GROUP BY order_id) AS t ON t.order_id = o.order_id
        INNER JOIN (SELECT user_id, row_number() OVER () - 1 AS n FROM customers) AS c
            ON c.n = o.i % {customers}
        """
    )
    con.execute("INSERT INTO order_lines SELECT * FROM gen_lines")
    # fates: 0-9 cancelled while pending, 10-14 cancelled after paying, 15-29 paid,
    # 30-49 shipped, 50-99 delivered
    con.execute(
        """
        INSERT INTO order_states
        SELECT order_id, 'paid', 'pending', placed_at + to_seconds(600 + fate * 7), NULL
        FROM gen_orders WHERE fate >= 10
        UNION ALL
        SELECT order_id, 'shipped', 'paid', placed_at + to_seconds(86400 + fate * 100), NULL
        FROM gen_orders WHERE fate >= 30
        UNION ALL
        SELECT order_id, 'delivered', 'shipped', placed_at + to_seconds(3 * 86400 + fate), NULL
        FROM gen_orders WHERE fate >= 50
        UNION ALL
        SELECT order_id, 'cancelled', CASE WHEN fate < 10 THEN 'pending' ELSE 'paid' END,
               placed_at + to_seconds(3600), 'customer'
        FROM gen_orders WHERE fate < 15
        """
    )
    # the ledger: one applied event per stored fact, as the consumer would have left it
    con.execute(
        """
        INSERT INTO applied_events (event_id, event_type, aggregate_id, sequence, occurred_at)
        SELECT uuid(), 'order.placed', order_id, 1, placed_at FROM gen_orders
        UNION ALL
        SELECT uuid(), 'order.status_changed', order_id, 2, reached_at FROM order_states
        """
    )
    con.execute("DROP TABLE gen_lines")
    con.execute("DROP TABLE gen_orders")
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


# --- ingestion --------------------------------------------------------------------------------


def ingestion_envelopes(orders: int) -> list[dict[str, Any]]:
    """Contract-shaped envelopes of ``orders`` new orders: placed, stock changes, transitions."""
    envelopes: list[dict[str, Any]] = []
    sequences: dict[str, int] = {}
    products = [str(uuid.uuid4()) for _ in range(200)]
    stock = dict.fromkeys(products, 10**6)

    def envelope(kind: str, aggregate: str, at: datetime, data: dict[str, Any]) -> None:
        sequences[aggregate] = sequences.get(aggregate, 0) + 1
        envelopes.append(
            {
                "id": str(uuid.uuid4()),
                "type": kind,
                "schema_version": 1,
                "occurred_at": at.isoformat().replace("+00:00", "Z"),
                "producer": "catalog" if kind.startswith("product") else "orders",
                "aggregate_type": kind.split(".")[0],
                "aggregate_id": aggregate,
                "sequence": sequences[aggregate],
                "request_id": None,
                "data": data,
            }
        )

    for i in range(orders):
        order_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i * 60)
        lines = [(products[(i + k * 17) % len(products)], 1 + (i + k) % 3) for k in range(2)]
        items = [
            {"product_id": p, "quantity": q, "unit_price": {"amount": 1999, "currency": "EUR"}}
            for p, q in lines
        ]
        total = {"amount": sum(1999 * q for _, q in lines), "currency": "EUR"}
        envelope(
            "order.placed",
            order_id,
            at,
            {
                "order_id": order_id,
                "user_id": user_id,
                "status": "pending",
                "items": items,
                "item_count": sum(q for _, q in lines),
                "total": total,
                "placed_at": at.isoformat().replace("+00:00", "Z"),
            },
        )
        for product, quantity in lines:
            stock[product] -= quantity
            envelope(
                "product.stock_changed",
                product,
                at,
                {
                    "product_id": product,
                    "stock": stock[product],
                    "delta": -quantity,
                    "reason": "order_placed",
                    "order_id": order_id,
                },
            )
        envelope(
            "order.status_changed",
            order_id,
            at + timedelta(minutes=5),
            {"order_id": order_id, "user_id": user_id, "from": "pending", "status": "paid"},
        )
    return envelopes


def bare_rows(envelopes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per batch, the columns the consumer's code writes, prepared before timing."""
    batches = []
    for start in range(0, len(envelopes), BATCH):
        chunk = envelopes[start : start + BATCH]
        records = [event_record(e) for e in chunk]
        facts = [f for e in chunk for f in facts_of(e)]
        placed = [f for f in facts if isinstance(f, OrderPlacedFact)]
        states = [f for f in facts if isinstance(f, OrderStateFact)]
        stocks: dict[Any, StockFact] = {}
        for f in facts:
            if isinstance(f, StockFact):
                stocks[f.product_id] = f
        lines = [(o.order_id, line) for o in placed for line in o.lines]
        batches.append(
            {
                "ledger": [
                    [r.id for r in records],
                    [r.type for r in records],
                    [r.aggregate_id for r in records],
                    [r.sequence for r in records],
                    [r.occurred_at for r in records],
                ],
                "orders": [
                    [o.order_id for o in placed],
                    [o.user_id for o in placed],
                    [o.placed_at for o in placed],
                    [o.currency for o in placed],
                    [o.total_amount for o in placed],
                ],
                "lines": [
                    [o for o, _ in lines],
                    [line.product_id for _, line in lines],
                    [line.quantity for _, line in lines],
                    [line.unit_amount for _, line in lines],
                ],
                "states": [
                    [s.order_id for s in states],
                    [s.status for s in states],
                    [s.from_status for s in states],
                    [s.at for s in states],
                    [s.reason for s in states],
                ],
                "stocks": [
                    list(stocks),
                    [s.stock for s in stocks.values()],
                    [s.sequence for s in stocks.values()],
                ],
            }
        )
    return batches


def bare_insert(con: duckdb.DuckDBPyConnection, batches: list[dict[str, Any]]) -> None:
    """The same rows, inserted with no parsing, no schema check and no de-duplication."""
    for rows in batches:
        con.execute("BEGIN TRANSACTION")
        con.execute(
            "INSERT INTO applied_events (event_id, event_type, aggregate_id, sequence,"
            " occurred_at) SELECT unnest(?::UUID[]), unnest(?::VARCHAR[]), unnest(?::UUID[]),"
            " unnest(?::BIGINT[]), unnest(?::TIMESTAMPTZ[])",
            rows["ledger"],
        )
        con.execute(
            "INSERT INTO orders SELECT unnest(?::UUID[]), unnest(?::UUID[]),"
            " unnest(?::TIMESTAMPTZ[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[])",
            rows["orders"],
        )
        con.execute(
            "INSERT INTO order_lines SELECT unnest(?::UUID[]), unnest(?::UUID[]),"
            " unnest(?::INTEGER[]), unnest(?::BIGINT[])",
            rows["lines"],
        )
        con.execute(
            "INSERT INTO order_states SELECT unnest(?::UUID[]), unnest(?::VARCHAR[]),"
            " unnest(?::VARCHAR[]), unnest(?::TIMESTAMPTZ[]), unnest(?::VARCHAR[])",
            rows["states"],
        )
        con.execute(
            "INSERT OR IGNORE INTO products (product_id) SELECT unnest(?::UUID[])",
            [rows["stocks"][0]],
        )
        con.execute(
            "UPDATE products SET stock = n.stock, stock_sequence = n.seq FROM (SELECT"
            " unnest(?::UUID[]) AS id, unnest(?::INTEGER[]) AS stock, unnest(?::BIGINT[]) AS seq)"
            " AS n WHERE products.product_id = n.id",
            rows["stocks"],
        )
        con.execute("COMMIT")


def copy_store(source: Path, target: Path) -> None:
    target.write_bytes(source.read_bytes())


def measure_ingestion(history: Path, work: Path, orders: int) -> tuple[float, float]:
    """(consumer events/s, bare events/s), best of two alternating rounds each."""
    envelopes = ingestion_envelopes(orders)
    bodies = [orjson.dumps(e) for e in envelopes]
    batches = bare_rows(envelopes)
    consumer_rates: list[float] = []
    bare_rates: list[float] = []
    for _ in range(2):
        for side in ("consumer", "bare"):
            path = work / f"ingest-{side}.duckdb"
            path.unlink(missing_ok=True)
            copy_store(history, path)
            store = AnalyticsStore.open(path)
            try:
                began = time.perf_counter()
                if side == "consumer":
                    intake = Intake(store)
                    for start in range(0, len(bodies), BATCH):
                        intake.ingest(bodies[start : start + BATCH])
                    assert intake.applied == len(envelopes), "every event must be applied once"
                else:
                    bare_insert(store.connection, batches)
                elapsed = time.perf_counter() - began
            finally:
                store.close()
            (consumer_rates if side == "consumer" else bare_rates).append(len(envelopes) / elapsed)
    return max(consumer_rates), max(bare_rates)


# --- queries ----------------------------------------------------------------------------------


class _Recorder:
    """Stands in for the connection once, to capture the exact SQL a report sends."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self.statements: list[tuple[str, Any]] = []

    def execute(self, sql: str, params: Any = None) -> Any:
        self.statements.append((sql, params))
        return self._con.execute(sql, params)


REPORTS: dict[str, tuple[str, dict[str, Any]]] = {
    "getSalesReport (day, a month)": (
        "getSalesReport",
        {"from": "2025-03-01", "to": "2025-04-01", "granularity": "day"},
    ),
    "getSalesReport (month, a year)": (
        "getSalesReport",
        {"from": "2025-01-01", "to": "2026-01-01", "granularity": "month", "tz": "Europe/Berlin"},
    ),
    "getTopProducts (a quarter)": (
        "getTopProducts",
        {"from": "2025-04-01", "to": "2025-07-01", "by": "revenue", "limit": 20},
    ),
    "getOrderFunnel (a quarter)": ("getOrderFunnel", {"from": "2025-04-01", "to": "2025-07-01"}),
    "getCustomerReport (a quarter)": (
        "getCustomerReport",
        {"from": "2025-04-01", "to": "2025-07-01", "within_days": 30},
    ),
    "listLowStockProducts": ("listLowStockProducts", {"threshold": 5, "limit": 20}),
}


def _request(operation: str, query: dict[str, Any]) -> ApiRequest:
    return ApiRequest(operation, {}, dict(query), {}, None, None, "bench", "127.0.0.1")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


async def measure_queries(path: Path, repeats: int) -> dict[str, tuple[float, float, float, float]]:
    """Per report: (service p50, service p99, direct p50, direct p99) in milliseconds."""
    service = AnalyticsService(AnalyticsStore.open(path))
    handlers = AnalyticsHandlers(service).operations()
    store = service._store
    assert store is not None
    results = {}
    try:
        for label, (operation, query) in REPORTS.items():
            # capture the SQL the report sends (the recorder is the connection for one call)
            recorder = _Recorder(store.connection)
            store.connection = recorder  # type: ignore[assignment]
            try:
                await handlers[operation](_request(operation, query))
            finally:
                store.connection = recorder._con
            statements = recorder.statements
            via_service: list[float] = []
            direct: list[float] = []
            for _ in range(repeats):  # alternate, so drift hits both sides
                began = time.perf_counter()
                response = await handlers[operation](_request(operation, query))
                via_service.append((time.perf_counter() - began) * 1000)
                assert response.status == 200
                began = time.perf_counter()
                for sql, params in statements:
                    store.connection.execute(sql, params).fetchall()
                direct.append((time.perf_counter() - began) * 1000)
            results[label] = (*_percentiles(via_service), *_percentiles(direct))
    finally:
        service.close()
    return results


# --- the run ----------------------------------------------------------------------------------


def _timed(action: Callable[[], None]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--ingest-orders", type=int, default=INGEST_ORDERS)
    args = parser.parse_args(argv)
    summary: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="refarch-anl-bench-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            history = work / f"history-{size}.duckdb"
            store = AnalyticsStore.open(history)
            built = _timed(lambda: generate_history(store.connection, size))  # noqa: B023
            store.close()
            megabytes = history.stat().st_size / 1e6
            print(
                f"\n== {size:,} orders: generated in {built:.1f} s, store file {megabytes:.0f} MB"
            )
            consumer, bare = measure_ingestion(history, work, args.ingest_orders)
            print(
                f"ingestion  consumer {consumer:9,.0f} events/s   bare DuckDB {bare:9,.0f} events/s"
                f"   ratio {consumer / bare:.2f} (target >= 0.3)"
            )
            queries = asyncio.run(measure_queries(history, args.repeats))
            print(
                f"{'report':34} {'service p50/p99 ms':>20} {'direct p50/p99 ms':>20} {'ratio':>6}"
            )
            for label, (sp50, sp99, dp50, dp99) in queries.items():
                print(
                    f"{label:34} {sp50:9.1f} /{sp99:8.1f}  {dp50:9.1f} /{dp99:8.1f}"
                    f"  {dp50 / sp50:5.2f}"
                )
            summary[size] = {"consumer": consumer, "bare": bare, "queries": queries}
            history.unlink()
    if len(summary) >= 2:
        small, large = min(summary), max(summary)
        growth = large / small
        print(f"\n== growth {small:,} -> {large:,} orders (x{growth:.0f} history)")
        print(
            f"ingestion events/s: x{summary[large]['consumer'] / summary[small]['consumer']:.2f}"
            " (consumer)"
        )
        for label in REPORTS:
            before = summary[small]["queries"][label][0]
            after = summary[large]["queries"][label][0]
            print(f"{label:34} p50 x{after / before:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
