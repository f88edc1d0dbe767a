"""Helpers for the broker tests: run the background tasks, wait for a condition."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import orjson
from nats.js import JetStreamContext

from refarch.reference_impl.bootstrap import Services

T = TypeVar("T")
WAIT_SECONDS = 15.0


@contextlib.asynccontextmanager
async def running(*tasks: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
    """Run background tasks for the block, cancel them after."""
    started = [asyncio.create_task(task()) for task in tasks]
    try:
        yield
    finally:
        for task in started:
            task.cancel()
        await asyncio.gather(*started, return_exceptions=True)


@contextlib.asynccontextmanager
async def relay_and_consumer(services: Services) -> AsyncIterator[None]:
    assert services.broker is not None and services.consumer is not None
    consumer = services.consumer

    async def consume() -> None:
        assert services.broker is not None
        await consumer.run(services.broker)

    async with running(services.relay.run_forever, consume):
        yield


async def eventually(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], seconds: float = WAIT_SECONDS
) -> T:
    """Probe until ``done(value)`` or the time is up; returns the last value either way."""
    deadline = time.monotonic() + seconds
    value = await probe()
    while not done(value) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        value = await probe()
    return value


async def notification_types(services: Services, user_id: UUID) -> list[str]:
    items, _ = await services.notifications.list_for_user(user_id, type_=None, limit=100, offset=0)
    return sorted(n.type for n in items)


async def stream_bodies(js: JetStreamContext, stream: str) -> list[dict[str, Any]]:
    """Every message stored in ``stream``, oldest first (read directly, no consumer)."""
    info = await js.stream_info(stream)
    bodies = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(stream, seq)
        assert message.data is not None
        bodies.append(orjson.loads(message.data))
    return bodies
