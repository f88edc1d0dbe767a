"""Events benchmark: the outbox -> JetStream -> consumer pipeline beside raw nats-py.

One run, one machine, one nats-server, printed side by side:

* E1 = events/s from the outbox to the notifications consumer's ack through JetStream
  (the relay and the consumer as ``refarch serve`` runs them, batches of EVENT_BATCH:
  publishes awaited on the JetStream acks, one consumer transaction per fetch), divided by
* raw = events/s of plain nats-py on the same server: the same message sizes published in
  batches of the same size with ``publish_async`` and consumed by a durable pull consumer
  that acks each message (no database). Target E1 / raw >= 0.5.
* p50/p99 delay from an event's commit (the producer's transaction) to the commit of its
  notification row, with the producers pacing at half of E1's measured maximum rate.

Uses DATABASE_URL if set, else a throw-away embedded PostgreSQL; always a throw-away
nats-server from the pinned wheel.

    .venv/bin/python -m bench.events [--events 5000] [--delay-seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import nats
import orjson
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from refarch import nats_server, pg
from refarch.migrate import apply_migrations
from refarch.reference_impl.bootstrap import EVENT_BATCH, NOTIFICATIONS_CONSUMER
from refarch.reference_impl.broker import Delivery, Settle
from refarch.reference_impl.event_consumer import EventConsumer
from refarch.reference_impl.event_schemas import preload, validate_envelope
from refarch.reference_impl.events import Event
from refarch.reference_impl.jetstream import JetStreamBroker
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.notifications.service import NotificationsService
from refarch.reference_impl.outbox import OutboxRelay
from refarch.reference_impl.platform.database import create_pool
from refarch.reference_impl.unit_of_work import UnitOfWork

BATCH = 100
TARGET_RATIO = 0.5


def placed_event() -> Event:
    """An order.placed event as the orders service writes it (valid against the spec)."""
    order_id, price = uuid.uuid4(), {"amount": 1999, "currency": "EUR"}
    return Event(
        event_type="order.placed",
        aggregate_type="order",
        aggregate_id=order_id,
        payload={
            "order_id": str(order_id),
            "user_id": str(uuid.uuid4()),
            "status": "pending",
            "items": [{"product_id": str(uuid.uuid4()), "quantity": 1, "unit_price": price}],
            "item_count": 1,
            "total": price,
            "placed_at": "2026-11-29T23:00:00Z",
        },
    )


async def fill_outbox(pool: asyncpg.Pool, count: int) -> None:
    for start in range(0, count, BATCH):
        async with UnitOfWork(pool) as uow:
            for _ in range(min(BATCH, count - start)):
                uow.publish("orders", placed_event())
            await uow.commit()


@contextlib.asynccontextmanager
async def pipeline(
    pool: asyncpg.Pool, url: str, on_batch: Any = None
) -> AsyncIterator[EventConsumer]:
    """The relay and the notifications consumer on ``url``, as ``refarch serve`` wires them."""
    broker = JetStreamBroker(url, batch_size=EVENT_BATCH)
    notifications = NotificationsService(functools.partial(NotificationsUnitOfWork, pool))
    consumer = EventConsumer(
        NOTIFICATIONS_CONSUMER, pool, notifications.handle_events, validate_envelope
    )
    relay = OutboxRelay(pool, broker=broker, poll_seconds=0.05, batch_size=EVENT_BATCH)

    async def handle(deliveries: Sequence[Delivery]) -> list[Settle]:
        settles = await consumer.handle_batch(deliveries)
        if on_batch is not None:
            on_batch(deliveries)
        return settles

    tasks = [
        asyncio.create_task(relay.run_forever()),
        asyncio.create_task(broker.consume(NOTIFICATIONS_CONSUMER, handle)),
    ]
    try:
        yield consumer
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await broker.close()


async def wait_until(condition: Any, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the pipeline did not finish in time")
        await asyncio.sleep(0.005)


async def measure_pipeline(pool: asyncpg.Pool, url: str, count: int) -> float:
    """Events/s from a full outbox to the last consumer ack."""
    await fill_outbox(pool, count)
    started = time.perf_counter()
    async with pipeline(pool, url) as consumer:
        await wait_until(lambda: consumer.applied >= count)
        elapsed = time.perf_counter() - started
    return count / elapsed


async def measure_raw(url: str, count: int) -> float:
    """Events/s of plain nats-py: publish_async in batches, a pull consumer acking each."""
    body = orjson.dumps({"id": str(uuid.uuid4()), **{"data": placed_event().payload}}) + b" " * 200
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="RAW_BENCH", subjects=["rawbench.>"]))
    await js.add_consumer(
        "RAW_BENCH", ConsumerConfig(durable_name="raw", ack_policy=AckPolicy.EXPLICIT)
    )
    subscription = await js.pull_subscribe_bind(durable="raw", stream="RAW_BENCH")
    acked = 0

    async def consume() -> None:
        nonlocal acked
        while acked < count:
            with contextlib.suppress(nats.errors.TimeoutError):
                for message in await subscription.fetch(BATCH, timeout=1.0):
                    await message.ack()
                    acked += 1

    started = time.perf_counter()
    consumer = asyncio.create_task(consume())
    for start in range(0, count, BATCH):
        pending = [
            await js.publish_async(
                "rawbench.order.placed", body, headers={"Nats-Msg-Id": f"{start}-{offset}"}
            )
            for offset in range(min(BATCH, count - start))
        ]
        await asyncio.gather(*pending)
    await consumer
    elapsed = time.perf_counter() - started
    await nc.close()
    return count / elapsed


async def measure_delay(
    pool: asyncpg.Pool, url: str, rate: float, seconds: float
) -> tuple[float, float, int]:
    """(p50 ms, p99 ms, events) from a producer's commit to the commit of its notification,
    producers pacing at ``rate`` events/s for ``seconds``."""
    committed_at: dict[str, float] = {}
    delays: list[float] = []

    def on_batch(deliveries: Sequence[Delivery]) -> None:
        now = time.perf_counter()
        for delivery in deliveries:
            event_id = orjson.loads(delivery.body)["id"]
            if event_id in committed_at:
                delays.append(now - committed_at[event_id])

    async def produce_one(limit: asyncio.Semaphore) -> None:
        async with limit:
            event = placed_event()
            async with UnitOfWork(pool) as uow:
                uow.publish("orders", event)
                await uow.commit()
            committed_at[str(event.id)] = time.perf_counter()

    total = int(rate * seconds)
    limit = asyncio.Semaphore(16)
    async with pipeline(pool, url, on_batch):
        started = time.perf_counter()
        producers = []
        for index in range(total):
            pause = started + index / rate - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            producers.append(asyncio.create_task(produce_one(limit)))
        await asyncio.gather(*producers)
        await wait_until(lambda: len(delays) >= total)
    ordered = sorted(delays)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000, len(ordered)


async def bench(database_url: str, nats_url: str, events: int, delay_seconds: float) -> int:
    preload()  # start-up work (reading the AsyncAPI document), not part of any figure
    conn = await asyncpg.connect(database_url)
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()
    pool = await create_pool(database_url, min_size=2, max_size=10)
    try:
        raw = await measure_raw(nats_url, events)
        through = await measure_pipeline(pool, nats_url, events)
        p50, p99, measured = await measure_delay(pool, nats_url, through / 2, delay_seconds)
    finally:
        await pool.close()
    ratio = through / raw
    print(f"events: {events} order.placed events, batches of {BATCH}, one nats-server")
    print(f"  E1  outbox -> JetStream -> consumer ack  {through:9.0f} events/s")
    print(f"  raw nats-py publish -> consume           {raw:9.0f} events/s")
    verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(f"  ratio E1 / raw = {ratio:.2f} (target >= {TARGET_RATIO}) {verdict}")
    print(
        f"  commit -> notification at {through / 2:.0f} events/s (half of E1), {measured} events:"
        f" p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )
    return 0 if ratio >= TARGET_RATIO else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.events", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000, help="events per throughput run")
    parser.add_argument("--delay-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.events < BATCH:
        parser.error(f"--events must be at least {BATCH}")
    with (
        tempfile.TemporaryDirectory(prefix="refarch-bench-events-") as scratch,
        nats_server.temporary(Path(scratch) / "nats") as broker,
    ):
        database_url = os.environ.get("DATABASE_URL")
        if database_url:
            return asyncio.run(bench(database_url, broker.url, args.events, args.delay_seconds))
        with pg.temporary(Path(scratch) / "pg") as database:
            return asyncio.run(bench(database.url, broker.url, args.events, args.delay_seconds))


if __name__ == "__main__":
    sys.exit(main())
