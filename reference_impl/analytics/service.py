"""The analytics service: the reports, the freshness figures, and the intake's thread.

Every store call runs on one dedicated thread (DuckDB's API is synchronous, and one
connection must not be used by two threads at once); the event loop only awaits it.
A store that could not be opened (another process holds the file: DuckDB allows one
writer) leaves the service unavailable, and every report says so with a 503.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from uuid import UUID

import duckdb

from refarch.reference_impl.analytics import reports
from refarch.reference_impl.analytics.domain import (
    CustomerFigures,
    Freshness,
    Funnel,
    LowStockRow,
    ReportRange,
    SalesRow,
    TopProductRow,
)
from refarch.reference_impl.analytics.intake import Intake, Verdict
from refarch.reference_impl.analytics.store import AnalyticsStore
from refarch.reference_impl.errors import Unavailable

__all__ = ["AnalyticsService", "AnalyticsUnavailable"]

T = TypeVar("T")
#: How the service learns the broker's side of the lag: events published to the stream
#: but not yet acknowledged by this consumer (None when the broker cannot be asked).
PendingCounter = Callable[[], Awaitable[int | None]]


class AnalyticsUnavailable(Unavailable):
    """The store is not open in this process (503)."""


class AnalyticsService:
    def __init__(self, store: AnalyticsStore | None, *, unavailable_reason: str = "") -> None:
        self._store = store
        self._unavailable_reason = unavailable_reason
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analytics-store")
        self.intake = Intake(store) if store is not None else None
        self._pending: PendingCounter | None = None

    @classmethod
    def open(cls, path: Any) -> AnalyticsService:
        """The service on the store at ``path``; unavailable (not failing) when it is locked."""
        try:
            return cls(AnalyticsStore.open(path))
        except duckdb.IOException as exc:
            return cls(None, unavailable_reason=f"the analytics store could not be opened: {exc}")

    @property
    def available(self) -> bool:
        return self._store is not None

    def count_pending_with(self, pending: PendingCounter) -> None:
        self._pending = pending

    async def _run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, functools.partial(call, *args, **kwargs))

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._store is None:
            raise AnalyticsUnavailable(
                "Analytics is not available in this process"
                f" ({self._unavailable_reason or 'no store'}); run the service with one"
                " worker process or its own analytics deployment (ADR 0047)."
            )
        return self._store.connection

    # --- intake ---------------------------------------------------------------------------

    async def ingest(self, bodies: Sequence[bytes]) -> list[Verdict]:
        if self.intake is None:
            self._connection()  # raises AnalyticsUnavailable
        assert self.intake is not None
        return await self._run(self.intake.ingest, bodies)

    # --- reports --------------------------------------------------------------------------

    async def sales(self, report: ReportRange, granularity: str) -> list[SalesRow]:
        return await self._run(reports.sales, self._connection(), report, granularity)

    async def top_products(
        self, report: ReportRange, *, by: str, currency: str, limit: int
    ) -> list[TopProductRow]:
        return await self._run(
            reports.top_products,
            self._connection(),
            report,
            by=by,
            currency=currency,
            limit=limit,
        )

    async def funnel(self, report: ReportRange) -> Funnel:
        return await self._run(reports.funnel, self._connection(), report)

    async def customers(self, report: ReportRange, *, within_days: int) -> CustomerFigures:
        return await self._run(
            reports.customers, self._connection(), report, within_days=within_days
        )

    async def low_stock(
        self, *, threshold: int, category_id: UUID | None, limit: int, offset: int
    ) -> tuple[list[LowStockRow], int]:
        return await self._run(
            reports.low_stock,
            self._connection(),
            threshold=threshold,
            category_id=category_id,
            limit=limit,
            offset=offset,
        )

    async def freshness(self) -> Freshness:
        progress = await self._run(reports.progress, self._connection())
        lag_events = await self._pending() if self._pending is not None else None
        lag_seconds = 0.0
        if lag_events and progress.last_event_at is not None:
            lag_seconds = max(0.0, time.time() - progress.last_event_at.timestamp())
        elif lag_events and progress.last_event_at is None:
            lag_seconds = float("nan")
        duplicates = self.intake.duplicates if self.intake is not None else 0
        return Freshness(
            progress.events_applied,
            duplicates,
            progress.last_event_at,
            lag_events,
            0.0 if lag_seconds != lag_seconds else round(lag_seconds, 3),
        )

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        if self._store is not None:
            self._store.close()
            self._store = None
