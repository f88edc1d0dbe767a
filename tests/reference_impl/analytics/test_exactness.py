"""Proof of exactness (issue 14): a random workload through the real API, with duplicate
deliveries injected on the real broker and the analytics consumer stopped and started
again mid-stream, and every analytics figure compared with the same figure computed from
the orders and catalog schemas in PostgreSQL, to the minor unit.

Hypothesis draws the workload (products, prices, stock, orders and what becomes of each);
every example runs in a category of its own on one server, so examples do not disturb one
another. The consumer is stopped before a drawn order and started again before a later one
(or after the last): the orders placed in between reach the broker while nothing consumes
them, the duplicates are published while it is down, and all of it must be applied exactly
once by the new consumer on the same durable. PostgreSQL keeps each order's current status but not its history, so the two
figures that need history (refunds: cancelled after paying; funnel "paid": reached paid at
some point) are compared with the workload's own record of what it did instead.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refarch.nats_server import EmbeddedBroker, temporary
from tests.reference_impl.analytics.restarts import RestartingConsumer, with_restarting_consumer
from tests.support.server import ServerHandle, reference_server
from tests.support.shop import create_product, login, order_body, register

pytestmark = pytest.mark.slow
WAIT_SECONDS = 30.0
FATES = ("pending", "paid", "shipped", "delivered", "cancelled_pending", "cancelled_paid")


Shop = tuple[ServerHandle, EmbeddedBroker, RestartingConsumer]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, postgres: Any) -> Iterator[Shop]:
    database_url = postgres.fresh_database()
    base: Path = tmp_path_factory.mktemp("exactness")
    consumers: list[RestartingConsumer] = []
    with (
        temporary(base / "nats") as broker,
        reference_server(
            base,
            database_url,
            env={"NATS_URL": broker.url, "REFARCH_EVENT_ACK_WAIT_SECONDS": "2"},
            services_factory=with_restarting_consumer(consumers),
        ) as server,
    ):
        (consumer,) = consumers
        yield server, broker, consumer
    postgres.drop(database_url)


workloads = st.fixed_dictionaries(
    {
        "products": st.lists(
            st.tuples(st.integers(1, 50_000), st.integers(5, 40)), min_size=1, max_size=3
        ),
        "orders": st.lists(
            st.tuples(
                st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=3),
                st.sampled_from(FATES),
            ),
            min_size=1,
            max_size=5,
        ),
        "redeliveries": st.integers(0, 10),
        # the consumer is down from before order `down[0]` to before order `down[1]`
        # (an index past the last order means: after the workload)
        "down": st.tuples(st.integers(0, 5), st.integers(0, 5)).map(sorted),
    }
)


class Outage:
    """Stops the consumer before one order and starts it again before a later one; the
    duplicates are published while it is down."""

    def __init__(
        self, shop: Shop, client: httpx.Client, admin: dict[str, str], workload: dict[str, Any]
    ) -> None:
        self._server, self._broker, self._consumer = shop
        self._client, self._admin = client, admin
        self._stop_at, self._start_at = workload["down"]
        self._redeliveries = workload["redeliveries"]
        self._applied_when_stopped: int | None = None
        self._started = False
        self._orders_past_the_end = max(5, len(workload["orders"]))

    def before_order(self, index: int) -> None:
        if index >= self._stop_at and self._applied_when_stopped is None:
            self._consumer.stop()
            self._applied_when_stopped = self._applied()
        if index >= self._start_at and not self._started:
            self._started = True
            asyncio.run(_redeliver(self._broker.url, self._redeliveries))
            # nothing was applied while it was down: the stop was real
            assert self._applied() == self._applied_when_stopped
            restarts = self._consumer.restarts
            self._consumer.start()
            self._wait_for(lambda: self._consumer.restarts == restarts + 1, "restart")

    def after_workload(self) -> None:
        self.before_order(self._orders_past_the_end)

    def _applied(self) -> int:
        fresh = self._client.get("/admin/analytics/freshness", headers=self._admin)
        assert fresh.status_code == 200, fresh.text
        return int(fresh.json()["events_applied"])

    @staticmethod
    def _wait_for(done: Any, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            assert time.monotonic() < deadline, f"no {what} within {WAIT_SECONDS}s"
            time.sleep(0.05)


def _run_workload(
    client: httpx.Client, admin: dict[str, str], workload: dict[str, Any], outage: Outage
) -> tuple[str, dict[str, Any]]:
    """Drive the workload through the API; returns the category id and what it did."""
    slug = f"exact-{uuid.uuid4().hex[:10]}"
    category = client.post("/categories", headers=admin, json={"slug": slug, "name": slug})
    assert category.status_code == 201, category.text
    category_id = category.json()["id"]
    products = [
        create_product(
            client, admin, sku_prefix="EXA", name="Exact", amount=price, stock=stock,
            category_id=category_id,
        )["id"]
        for price, stock in workload["products"]
    ]  # fmt: skip
    _, customer = register(client)
    did = {"refunds": 0, "reached_paid": 0}
    for number, (lines, fate) in enumerate(workload["orders"]):
        outage.before_order(number)
        merged: dict[str, int] = {}
        for index, quantity in lines:
            product = products[index % len(products)]
            merged[product] = merged.get(product, 0) + quantity
        body = order_body(*next(iter(merged.items())))
        body["items"] = [{"product_id": p, "quantity": q} for p, q in merged.items()]
        placed = client.post("/orders", headers=customer, json=body)
        if placed.status_code == 409:  # out of stock: refused, and must count nowhere
            continue
        assert placed.status_code == 201, placed.text
        order = placed.json()
        steps = {
            "pending": [],
            "paid": ["paid"],
            "shipped": ["paid", "shipped"],
            "delivered": ["paid", "shipped", "delivered"],
            "cancelled_pending": [],
            "cancelled_paid": ["paid", "cancelled"],
        }[fate]
        for status in steps:
            moved = client.post(
                f"/orders/{order['id']}/transitions", headers=admin, json={"to": status}
            )
            assert moved.status_code == 200, moved.text
        if fate == "cancelled_pending":
            cancel = client.post(f"/orders/{order['id']}/cancel", headers=customer)
            assert cancel.status_code == 200, cancel.text
        if "paid" in steps:
            did["reached_paid"] += 1
        if fate == "cancelled_paid":
            did["refunds"] += order["total"]["amount"]
    outage.after_workload()
    return category_id, did


async def _redeliver(broker_url: str, count: int) -> None:
    """Publish ``count`` stored events again under new message ids: the broker cannot tell
    them from new messages, only the consumer's ledger can (a relay retry after the
    de-duplication window, or a redelivery after a lost ack)."""
    if count == 0:
        return
    client = await nats.connect(broker_url)
    try:
        js = client.jetstream()
        info = await js.stream_info("REFARCH_EVENTS")
        last = info.state.last_seq
        for offset in range(count):
            stored = await js.get_msg("REFARCH_EVENTS", max(1, last - offset))
            await js.publish(stored.subject, stored.data, headers={"Nats-Msg-Id": uuid.uuid4().hex})
    finally:
        await client.close()


async def _truth(database_url: str, category_id: str) -> dict[str, Any]:
    """The same figures, from the services' own schemas in PostgreSQL."""
    conn = await asyncpg.connect(database_url)
    try:
        lines = await conn.fetch(
            "SELECT o.id, o.status, i.product_id, i.quantity, i.line_amount"
            " FROM orders.orders o JOIN orders.order_items i ON i.order_id = o.id"
            " JOIN catalog.products p ON p.id = i.product_id WHERE p.category_id = $1",
            uuid.UUID(category_id),
        )
        stock = await conn.fetch(
            "SELECT id, stock FROM catalog.products WHERE category_id = $1",
            uuid.UUID(category_id),
        )
    finally:
        await conn.close()
    cancelled = {r["id"] for r in lines if r["status"] == "cancelled"}
    kept = [r for r in lines if r["id"] not in cancelled]
    per_product: dict[str, tuple[int, int]] = {}
    for r in kept:
        units, revenue = per_product.get(str(r["product_id"]), (0, 0))
        per_product[str(r["product_id"])] = (units + r["quantity"], revenue + r["line_amount"])
    statuses = {r["id"]: r["status"] for r in lines}
    return {
        "orders": len(statuses),
        "units": sum(r["quantity"] for r in lines),
        "revenue": sum(r["line_amount"] for r in lines),
        "cancellations": len(cancelled),
        "cancelled_revenue": sum(r["line_amount"] for r in lines if r["id"] in cancelled),
        "top": per_product,
        "shipped": sum(1 for s in statuses.values() if s in ("shipped", "delivered")),
        "delivered": sum(1 for s in statuses.values() if s == "delivered"),
        "stock": {str(r["id"]): r["stock"] for r in stock},
    }


async def _unrelayed(database_url: str) -> int:
    """Events still in an outbox (not yet on the broker)."""
    conn = await asyncpg.connect(database_url)
    try:
        return sum(
            [
                await conn.fetchval(
                    f"SELECT count(*) FROM {schema}.outbox"
                    " WHERE published_at IS NULL AND failed_at IS NULL"
                )
                for schema in ("users", "catalog", "orders")
            ]
        )
    finally:
        await conn.close()


def _around_today(category_id: str) -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=2)).isoformat(),
        "category_id": category_id,
    }


def _total(rows: list[dict[str, Any]], key: str) -> int:
    return sum(row[key]["amount"] if isinstance(row[key], dict) else row[key] for row in rows)


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(workload=workloads)
def test_anl_every_figure_equals_the_source_of_truth_to_the_minor_unit(
    shop: Shop, workload: dict[str, Any]
) -> None:
    server, _, consumer = shop
    restarts = consumer.restarts
    with httpx.Client(base_url=server.api_url, timeout=10) as client:
        admin = login(client, server.admin_email, server.admin_password)
        outage = Outage(shop, client, admin, workload)
        category_id, did = _run_workload(client, admin, workload, outage)
        assert consumer.restarts == restarts + 1  # it was stopped and started once
        truth = asyncio.run(_truth(server.database_url, category_id))
        params = {**_around_today(category_id), "granularity": "month"}
        deadline = time.monotonic() + WAIT_SECONDS
        while True:  # caught up: every event relayed to the broker and applied from it
            unrelayed = asyncio.run(_unrelayed(server.database_url))
            fresh = client.get("/admin/analytics/freshness", headers=admin).json()
            if unrelayed == 0 and fresh["lag_events"] == 0:
                break
            assert time.monotonic() < deadline, f"analytics did not catch up: {fresh}"
            time.sleep(0.2)
        rows = client.get("/admin/analytics/sales", headers=admin, params=params).json()["items"]
        for key in ("orders", "units", "revenue", "cancellations", "cancelled_revenue"):
            assert _total(rows, key) == truth[key], key
        assert _total(rows, "net_revenue") == truth["revenue"] - truth["cancelled_revenue"]
        assert _total(rows, "refunds") == did["refunds"]

        top = client.get(
            "/admin/analytics/top-products", headers=admin,
            params={**_around_today(category_id), "limit": 100},
        ).json()["items"]  # fmt: skip
        assert {i["product_id"]: (i["units"], i["revenue"]["amount"]) for i in top} == truth["top"]

        funnel = client.get(
            "/admin/analytics/funnel", headers=admin, params=_around_today(category_id)
        ).json()
        assert (funnel["placed"], funnel["cancelled"]) == (truth["orders"], truth["cancellations"])
        assert (funnel["shipped"], funnel["delivered"]) == (truth["shipped"], truth["delivered"])
        assert funnel["paid"] == did["reached_paid"]

        low = client.get(
            "/admin/analytics/low-stock", headers=admin,
            params={"threshold": 1_000_000, "category_id": category_id, "limit": 100},
        ).json()["items"]  # fmt: skip
        assert {i["product_id"]: i["stock"] for i in low} == truth["stock"]
