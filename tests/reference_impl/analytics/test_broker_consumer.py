"""Analytics on a real nats-server: the durable consumer applies contract envelopes once,
sets malformed messages aside, reports its lag, and a rebuild from the stream gives the
same figures (ANL-003, ANL-009, ANL-010)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import nats
import orjson
import pytest

from refarch.nats_server import EmbeddedBroker, temporary
from refarch.reference_impl.analytics import reports
from refarch.reference_impl.analytics.consumer import AnalyticsConsumer
from refarch.reference_impl.analytics.domain import report_range
from refarch.reference_impl.analytics.rebuild import StoreInUse, rebuild
from refarch.reference_impl.analytics.service import AnalyticsService
from refarch.reference_impl.analytics.store import AnalyticsStore
from refarch.reference_impl.jetstream import JetStreamBroker
from tests.reference_impl.analytics.envelopes import Shop

T = TypeVar("T")
PREFIX = "refarch"
NOVEMBER = report_range({"from": "2026-11-01", "to": "2026-12-01"})
T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def broker_server(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    with temporary(tmp_path / "nats") as server:
        yield server


async def _eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool]) -> T:
    deadline = time.monotonic() + 15
    value = await probe()
    while not done(value) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        value = await probe()
    return value


@contextlib.asynccontextmanager
async def _consuming(service: AnalyticsService, broker: JetStreamBroker) -> AsyncIterator[None]:
    task = asyncio.create_task(AnalyticsConsumer(service).run(broker))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _publish(url: str, messages: list[tuple[str, bytes, str]]) -> None:
    """Publish (subject, body, message id) as the relay would, straight to JetStream."""
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        for subject, body, msg_id in messages:
            await js.publish(subject, body, headers={"Nats-Msg-Id": msg_id})
    finally:
        await client.close()


@contextlib.contextmanager
def _held_by_another_process(path: Path) -> Iterator[None]:
    """A second process holding the DuckDB file, as a running `refarch serve` would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=10)


_HOLDER = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(60)"


def _history() -> list[dict[str, Any]]:
    shop = Shop()
    ada, registered = shop.register(T0)
    kettle, created = shop.create_product(T0, price=2999, stock=5)
    first, placed = shop.place(ada, T0 + timedelta(hours=1), {kettle: 2})
    paid = shop.transition(first, T0 + timedelta(hours=2), "pending", "paid")
    second, placed_again = shop.place(ada, T0 + timedelta(days=1), {kettle: 1})
    cancelled = shop.cancel(second, T0 + timedelta(days=1, hours=1), "pending")
    return [registered, created, *placed, paid, *placed_again, *cancelled]


def _messages(
    envelopes: list[dict[str, Any]], *, retry: bool = False
) -> list[tuple[str, bytes, str]]:
    # A relay retry after the broker's de-duplication window carries a new message id but
    # the same event id: only the consumer's ledger can tell.
    suffix = "-retry" if retry else ""
    return [(f"{PREFIX}.{e['type']}", orjson.dumps(e), e["id"] + suffix) for e in envelopes]


def _figures(service: AnalyticsService) -> Any:
    store = service._store
    assert store is not None
    con = store.connection
    return (
        reports.sales(con, NOVEMBER, "day"),
        reports.top_products(con, NOVEMBER, by="units", currency="EUR", limit=10),
        reports.funnel(con, NOVEMBER),
        reports.customers(con, NOVEMBER, within_days=30),
        reports.low_stock(con, threshold=100, category_id=None, limit=10, offset=0),
    )


@pytest.mark.anyio
async def test_anl_003_009_010_consumer_applies_once_reports_lag_and_rebuilds_equal(
    tmp_path: Path, broker_server: EmbeddedBroker
) -> None:
    history = _history()
    path = tmp_path / "analytics.duckdb"
    service = AnalyticsService.open(path)
    broker = JetStreamBroker(broker_server.url, prefix=PREFIX, ack_wait_seconds=2)
    consumer_name = AnalyticsConsumer(service).name
    service.count_pending_with(lambda: broker.pending(consumer_name))
    malformed = [(f"{PREFIX}.order.placed", b"{not json", "bad-1")]
    await broker.pending(consumer_name)  # connects, which creates the streams
    async with _consuming(service, broker):
        await _publish(
            broker_server.url, _messages(history) + malformed + _messages(history[:4], retry=True)
        )
        freshness = await _eventually(
            service.freshness, lambda f: f.lag_events == 0 and f.events_applied == len(history)
        )
        assert (freshness.events_applied, freshness.lag_events) == (len(history), 0)
        assert freshness.duplicates_ignored == 4
        assert freshness.lag_seconds == 0.0
        assert service.intake is not None and service.intake.dead_letters == 1
        live = await asyncio.to_thread(_figures, service)
    (day_one, day_two), *_ = live
    assert (day_one.orders, day_one.units, day_one.revenue) == (1, 2, 5998)
    assert (day_two.cancellations, day_two.cancelled_revenue, day_two.refunds) == (1, 2999, 0)

    await broker.close()
    service.close()
    with _held_by_another_process(path), pytest.raises(StoreInUse):
        await rebuild(path, broker_server.url, PREFIX)

    report = await rebuild(path, broker_server.url, PREFIX)
    # every message on the stream: the history, the malformed one and the four retries
    assert (report.replayed, report.applied, report.set_aside) == (
        len(history) + 5,
        len(history),
        1,
    )
    rebuilt = AnalyticsService(AnalyticsStore.open(path))
    try:
        assert await asyncio.to_thread(_figures, rebuilt) == live
    finally:
        rebuilt.close()
