"""Faults of an analytics read model: each makes the figures wrong in a way real
implementations get wrong, and the analytics checks must catch it (ANL-…).

They patch the analytics service that ``build_services`` returned, and act only while the
switch names them. They need the target's analytics to be fed by a broker.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from refarch.reference_impl.analytics.domain import ReportRange
from refarch.reference_impl.bootstrap import Services
from tests.conformance.faults.asgi import Fault

__all__ = ["ANALYTICS_FAULTS"]


class DoubleCountsRedelivery(Fault):
    """A consumer without the event-id ledger: every delivery is applied as new, so the
    figures count an event again whenever it is delivered again (simulated here by
    delivering each batch twice)."""

    name, requirement, select = "analytics-double-counts-redelivery", "ANL-002", ("ANL-002",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        intake = services.analytics.intake
        assert intake is not None, "the analytics store is open in the faulty reference"
        store, ingest = intake.store, intake.ingest
        apply = store.apply

        def without_ledger(envelopes: Sequence[dict[str, Any]]) -> Any:
            if active() and envelopes:
                store.connection.execute(
                    "DELETE FROM applied_events WHERE event_id IN (SELECT unnest(?::UUID[]))",
                    [[e["id"] for e in envelopes]],
                )
            return apply(envelopes)

        def twice(bodies: Sequence[bytes]) -> Any:
            verdicts = ingest(bodies)
            if active():
                ingest(bodies)  # the redelivery
            return verdicts

        store.apply = without_ledger  # type: ignore[method-assign]
        intake.ingest = twice  # type: ignore[method-assign]


class CancellationsNotSubtracted(Fault):
    """Net revenue that forgets the cancelled orders (and counts nothing as cancelled)."""

    name, requirement, select = "analytics-cancellations-not-subtracted", "ANL-002", ("ANL-002",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        analytics = services.analytics
        sales = analytics.sales

        async def forgetful(report: ReportRange, granularity: str) -> Any:
            rows = await sales(report, granularity)
            if not active():
                return rows
            return [dataclasses.replace(row, cancelled_revenue=0, refunds=0) for row in rows]

        analytics.sales = forgetful  # type: ignore[method-assign]


class WrongPeriodBoundary(Fault):
    """Periods cut at midnight UTC whatever ``tz`` says (the range is echoed as asked)."""

    name, requirement, select = "analytics-wrong-period-boundary", "ANL-004", ("ANL-004",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        analytics = services.analytics
        sales = analytics.sales

        async def in_utc(report: ReportRange, granularity: str) -> Any:
            return await sales(
                dataclasses.replace(report, tz="UTC") if active() else report, granularity
            )

        analytics.sales = in_utc  # type: ignore[method-assign]


ANALYTICS_FAULTS: list[Fault] = [
    DoubleCountsRedelivery(),
    CancellationsNotSubtracted(),
    WrongPeriodBoundary(),
]
