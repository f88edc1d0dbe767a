"""A seam for the exactness test: the server's analytics consumer, stopped and started
again on request from the test thread while the rest of the server keeps running.

Stopping cancels the consumer's task wherever it is (between batches, or with a batch
fetched, even applied, but not yet acknowledged) and its pull subscription goes away; the
durable consumer stays on the broker. Starting runs a brand-new ``AnalyticsConsumer`` on
the same durable, as a restarted process would: it resumes from the broker's record of
what was acknowledged, so the events published meanwhile (and any batch left
unacknowledged) reach it, and only the event-id ledger keeps them from counting twice.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from refarch.reference_impl.analytics.consumer import AnalyticsConsumer
from refarch.reference_impl.bootstrap import Services, build_services
from refarch.reference_impl.broker import EventBroker
from refarch.reference_impl.settings import Settings

__all__ = ["RestartingConsumer", "with_restarting_consumer"]

STOP_TIMEOUT_SECONDS = 15.0
_POLL_SECONDS = 0.02


class RestartingConsumer(AnalyticsConsumer):
    """Runs one ``AnalyticsConsumer`` at a time; ``stop()``/``start()`` from another thread."""

    def __init__(self, inner: AnalyticsConsumer, event_types: Sequence[str]) -> None:
        super().__init__(inner._analytics, event_types)
        self._current = inner
        self._stop_wanted = threading.Event()
        self._stopped = threading.Event()
        self._start_wanted = threading.Event()
        self.restarts = 0

    @property
    def dead_letters(self) -> int:
        return self._current.dead_letters

    async def run(self, broker: EventBroker) -> None:
        while True:
            task = asyncio.create_task(self._current.run(broker))
            while not self._stop_wanted.is_set():
                await asyncio.sleep(_POLL_SECONDS)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            self._stopped.set()
            while not self._start_wanted.is_set():
                await asyncio.sleep(_POLL_SECONDS)
            self._stop_wanted.clear()
            self._start_wanted.clear()
            self._stopped.clear()
            self._current = AnalyticsConsumer(self._analytics, self.event_types)
            self.restarts += 1

    def stop(self) -> None:
        """Cancel the running consumer; returns once it is gone."""
        self._stop_wanted.set()
        if not self._stopped.wait(STOP_TIMEOUT_SECONDS):
            raise TimeoutError("the analytics consumer did not stop")

    def start(self) -> None:
        """Run a new consumer on the same durable (returns at once)."""
        self._start_wanted.set()


def with_restarting_consumer(
    holder: list[RestartingConsumer],
) -> Callable[[asyncpg.Pool, Settings], Awaitable[Services]]:
    """A ``services_factory`` building the real services with a restartable analytics
    consumer, which it appends to ``holder`` for the test to drive."""

    async def build(pool: asyncpg.Pool, settings: Settings) -> Services:
        services = await build_services(pool, settings)
        inner = services.analytics_consumer
        assert inner is not None, "analytics needs a broker and its store"
        restarting = RestartingConsumer(inner, inner.event_types)
        services.analytics_consumer = restarting
        holder.append(restarting)
        return services

    return build
