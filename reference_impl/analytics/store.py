"""The analytics store: one DuckDB file, its migrations, and applying events exactly once.

DuckDB is embedded and columnar (ADR 0047): the reports scan a few columns of millions of
rows, which it does in milliseconds without a server. The store is synchronous (DuckDB's
Python API is); the service runs every call on one dedicated thread, so the event loop
never blocks and the connection is never used by two threads at once.

``apply`` is the exactly-once step: inside ONE transaction it drops the envelopes whose id
the ledger already holds (and repeats within the batch), records the rest in the ledger,
and writes their facts. A crash before COMMIT leaves nothing; the broker redelivers the
unacknowledged batch and it is applied then. Rows are written column-wise (lists unnested
by DuckDB), which is what keeps ingestion near a bare bulk insert.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from refarch.migrate import Migration, MigrationError, discover
from refarch.reference_impl.analytics.domain import (
    CustomerFact,
    EventRecord,
    Fact,
    OrderPlacedFact,
    OrderStateFact,
    ProductFact,
    StockFact,
    event_record,
    facts_of,
)

__all__ = ["DIALECT", "STORE_FILE", "AnalyticsStore", "ApplyResult"]

DIALECT = "duckdb"
#: The store's file name in the platform's data directory.
STORE_FILE = "analytics.duckdb"

_LEDGER = """
CREATE TABLE IF NOT EXISTS refarch_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class ApplyResult:
    applied: int
    duplicates: int


def _migrations(specs_root: Path | None) -> list[Migration]:
    return [m for m in discover(specs_root, dialect=DIALECT) if m.service == "analytics"]


class AnalyticsStore:
    """One open DuckDB database holding the analytics schema."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, path: Path | None, *, specs_root: Path | None = None) -> AnalyticsStore:
        """Open (creating if needed) the store at ``path`` (None: in memory) and migrate it."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(path) if path is not None else ":memory:")
        store = cls(connection, path)
        try:
            store._migrate(_migrations(specs_root))
        except BaseException:
            connection.close()
            raise
        return store

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        con = self.connection
        con.execute(_LEDGER)
        applied = dict(con.execute("SELECT version, checksum FROM refarch_migrations").fetchall())
        for migration in migrations:
            checksum = hashlib.sha256(migration.path.read_bytes()).hexdigest()
            if migration.version in applied:
                if applied[migration.version] != checksum:
                    raise MigrationError(
                        f"{migration.path} changed after it was applied to the analytics store:"
                        " never edit an applied migration; add a new V###__ file instead"
                        " (or rebuild the store: `refarch analytics rebuild`)"
                    )
                continue
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(migration.sql())
                con.execute(
                    "INSERT INTO refarch_migrations VALUES (?, ?, ?)",
                    [migration.version, migration.name, checksum],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.connection.close()

    # --- applying events ------------------------------------------------------------------

    def apply(self, envelopes: Sequence[Mapping[str, Any]]) -> ApplyResult:
        """Apply schema-valid envelopes once each, in one transaction (see the module doc)."""
        records: dict[Any, tuple[EventRecord, Mapping[str, Any]]] = {}
        for envelope in envelopes:
            record = event_record(envelope)
            records.setdefault(record.id, (record, envelope))
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            # The ledger's key decides: only ids it did not hold are inserted and returned
            # (one index-backed statement, however large the ledger grows).
            inserted = set(self._record([record for record, _ in records.values()]))
            fresh = [pair for event_id, pair in records.items() if event_id in inserted]
            facts: list[Fact] = []
            for _, envelope in fresh:
                facts.extend(facts_of(envelope))
            self._write(facts)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return ApplyResult(applied=len(fresh), duplicates=len(envelopes) - len(fresh))

    def _record(self, records: Sequence[EventRecord]) -> list[Any]:
        """Add the records the ledger does not hold yet; returns their event ids."""
        if not records:
            return []
        rows = self.connection.execute(
            "INSERT OR IGNORE INTO applied_events (event_id, event_type, aggregate_id, sequence,"
            " occurred_at) SELECT unnest(?::UUID[]), unnest(?::VARCHAR[]), unnest(?::UUID[]),"
            " unnest(?::BIGINT[]), unnest(?::TIMESTAMPTZ[]) RETURNING event_id",
            _columns(records, "id", "type", "aggregate_id", "sequence", "occurred_at"),
        ).fetchall()
        return [row[0] for row in rows]

    def _write(self, facts: Iterable[Fact]) -> None:
        placed: list[OrderPlacedFact] = []
        states: list[OrderStateFact] = []
        # Overwritable values: only the newest fact per aggregate in this batch matters
        # (the UPDATEs below also refuse anything older than what is stored).
        roles: dict[Any, CustomerFact] = {}
        deleted: set[Any] = set()
        products: dict[Any, ProductFact] = {}
        stocks: dict[Any, StockFact] = {}
        registrations: dict[Any, CustomerFact] = {}
        skus: dict[Any, str] = {}
        for fact in facts:
            if isinstance(fact, OrderPlacedFact):
                placed.append(fact)
            elif isinstance(fact, OrderStateFact):
                states.append(fact)
            elif isinstance(fact, CustomerFact):
                if fact.registered_at is not None:
                    registrations[fact.user_id] = fact
                if fact.deleted:
                    deleted.add(fact.user_id)
                elif fact.role is not None:
                    _keep_newest(roles, fact.user_id, fact)
            elif isinstance(fact, ProductFact):
                if fact.sku is not None:
                    skus[fact.product_id] = fact.sku
                _keep_newest(products, fact.product_id, fact)
            elif isinstance(fact, StockFact):
                _keep_newest(stocks, fact.product_id, fact)
        self._orders(placed)
        self._states(states)
        self._customers(list(roles.values()), list(registrations.values()), deleted)
        self._products(list(products.values()), skus)
        self._stocks(list(stocks.values()))

    def _orders(self, placed: Sequence[OrderPlacedFact]) -> None:
        if not placed:
            return
        con = self.connection
        con.execute(
            "INSERT OR IGNORE INTO orders SELECT unnest(?::UUID[]), unnest(?::UUID[]),"
            " unnest(?::TIMESTAMPTZ[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[])",
            [
                [o.order_id for o in placed],
                [o.user_id for o in placed],
                [o.placed_at for o in placed],
                [o.currency for o in placed],
                [o.total_amount for o in placed],
            ],
        )
        lines = [(o.order_id, line) for o in placed for line in o.lines]
        con.execute(
            "INSERT INTO order_lines SELECT unnest(?::UUID[]), unnest(?::UUID[]),"
            " unnest(?::INTEGER[]), unnest(?::BIGINT[])",
            [
                [order_id for order_id, _ in lines],
                [line.product_id for _, line in lines],
                [line.quantity for _, line in lines],
                [line.unit_amount for _, line in lines],
            ],
        )

    def _states(self, states: Sequence[OrderStateFact]) -> None:
        if not states:
            return
        self.connection.execute(
            "INSERT OR IGNORE INTO order_states SELECT unnest(?::UUID[]), unnest(?::VARCHAR[]),"
            " unnest(?::VARCHAR[]), unnest(?::TIMESTAMPTZ[]), unnest(?::VARCHAR[])",
            [
                [s.order_id for s in states],
                [s.status for s in states],
                [s.from_status for s in states],
                [s.at for s in states],
                [s.reason for s in states],
            ],
        )

    def _ensure_rows(self, table: str, key: str, ids: Sequence[Any]) -> None:
        self.connection.execute(
            f"INSERT OR IGNORE INTO {table} ({key}) SELECT DISTINCT unnest(?::UUID[])", [ids]
        )

    def _customers(
        self,
        roles: Sequence[CustomerFact],
        registrations: Sequence[CustomerFact],
        deleted: set[Any],
    ) -> None:
        if not (roles or registrations or deleted):
            return
        con = self.connection
        ids = {f.user_id for f in roles} | {f.user_id for f in registrations} | deleted
        self._ensure_rows("customers", "user_id", list(ids))
        if registrations:
            con.execute(
                "UPDATE customers SET registered_at = n.at FROM (SELECT unnest(?::UUID[]) AS id,"
                " unnest(?::TIMESTAMPTZ[]) AS at) AS n WHERE customers.user_id = n.id",
                _columns(registrations, "user_id", "registered_at"),
            )
        if deleted:
            con.execute(
                "UPDATE customers SET deleted = TRUE WHERE user_id IN (SELECT unnest(?::UUID[]))",
                [list(deleted)],
            )
        if roles:
            con.execute(
                "UPDATE customers SET role = n.role, role_sequence = n.seq FROM (SELECT"
                " unnest(?::UUID[]) AS id, unnest(?::VARCHAR[]) AS role, unnest(?::BIGINT[])"
                " AS seq) AS n WHERE customers.user_id = n.id AND customers.role_sequence < n.seq",
                _columns(roles, "user_id", "role", "sequence"),
            )

    def _products(self, latest: Sequence[ProductFact], skus: Mapping[Any, str]) -> None:
        if not latest:
            return
        con = self.connection
        self._ensure_rows("products", "product_id", [f.product_id for f in latest])
        if skus:  # only product.created says it, and it never changes
            con.execute(
                "UPDATE products SET sku = n.sku FROM (SELECT unnest(?::UUID[]) AS id,"
                " unnest(?::VARCHAR[]) AS sku) AS n WHERE products.product_id = n.id",
                [list(skus), list(skus.values())],
            )
        con.execute(
            "UPDATE products SET name = n.name, category_id = n.category,"
            " price_amount = n.amount, currency = n.currency, details_sequence = n.seq"
            " FROM (SELECT unnest(?::UUID[]) AS id, unnest(?::VARCHAR[]) AS name,"
            " unnest(?::UUID[]) AS category, unnest(?::BIGINT[]) AS amount,"
            " unnest(?::VARCHAR[]) AS currency, unnest(?::BIGINT[]) AS seq) AS n"
            " WHERE products.product_id = n.id AND products.details_sequence < n.seq",
            _columns(
                latest, "product_id", "name", "category_id", "price_amount", "currency", "sequence"
            ),
        )

    def _stocks(self, latest: Sequence[StockFact]) -> None:
        if not latest:
            return
        self._ensure_rows("products", "product_id", [f.product_id for f in latest])
        self.connection.execute(
            "UPDATE products SET stock = n.stock, stock_sequence = n.seq FROM (SELECT"
            " unnest(?::UUID[]) AS id, unnest(?::INTEGER[]) AS stock, unnest(?::BIGINT[]) AS seq)"
            " AS n WHERE products.product_id = n.id AND products.stock_sequence < n.seq",
            _columns(latest, "product_id", "stock", "sequence"),
        )


def _columns(items: Sequence[Any], *fields: str) -> list[list[Any]]:
    """One list per field, in ``fields`` order: the arrays an ``unnest(?)`` batch takes."""
    return [[getattr(item, name) for item in items] for name in fields]


def _keep_newest(latest: dict[Any, Any], key: Any, fact: Any) -> None:
    if key not in latest or latest[key].sequence < fact.sequence:
        latest[key] = fact
