"""Prometheus metrics, served at the root ``/metrics`` (an operator endpoint, not API).

Each app owns its registry, so several apps in one process (tests) never collide. Request
series carry operationId, method and status class: bounded label values (unknown paths
count as ``unmatched``), never raw paths. Pool usage, outbox lag and the number of
set-aside (dead-letter) events are read on scrape.

With several uvicorn workers each process keeps its own counters and a scrape reaches one
of them; aggregate with one scrape target per worker, or switch to prometheus_client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR), which v1 does not need.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from refarch.specs import operations, versions

if TYPE_CHECKING:
    import asyncpg

    from refarch.reference_impl.platform.contract import Backend

__all__ = ["CONTENT_TYPE", "Metrics", "latency_buckets"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LABELS = ("operation_id", "method", "status_class")
# A 1/2.5/5 scale from 1 ms to 5 s; every x-slo budget of the specs is added to it (below).
_SCALE = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_BUDGET_KEYS = ("p95_ms", "p99_ms")


@functools.cache
def latency_buckets() -> tuple[float, ...]:
    """Histogram bucket bounds in seconds: the scale plus every p95/p99 budget in the specs.

    A quantile read from a histogram is only exact at a bucket boundary; with a budget
    between two buckets (300 ms between 250 and 500) an alert on "p95 above budget" guesses.
    Reading the budgets from the specs keeps a new or changed x-slo on a boundary.
    """
    budgets = {
        int(op.spec["x-slo"][key]) / 1000
        for version in versions()
        for op in operations(version)
        if isinstance(op.spec.get("x-slo"), dict)
        for key in _BUDGET_KEYS
        if key in op.spec["x-slo"]
    }
    return tuple(sorted(set(_SCALE) | budgets))


_STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
# The method is client-chosen: arbitrary verbs must not mint new series (label cardinality
# is memory on the server and in Prometheus), so anything unusual counts as OTHER.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "refarch_http_requests",
            "HTTP requests answered, by operation, method and status class.",
            _LABELS,
            registry=self.registry,
        )
        self.latency = Histogram(
            "refarch_http_request_duration_seconds",
            "Time from the request's arrival to the last byte of the response.",
            _LABELS,
            buckets=latency_buckets(),
            registry=self.registry,
        )
        self.pool_size = Gauge(
            "refarch_db_pool_connections", "Connections open in the pool.", registry=self.registry
        )
        self.pool_in_use = Gauge(
            "refarch_db_pool_connections_in_use",
            "Connections currently lent to requests or background tasks.",
            registry=self.registry,
        )
        self.outbox_lag = Gauge(
            "refarch_outbox_lag_seconds",
            "Age of the oldest event not yet delivered from any outbox (0 when empty).",
            registry=self.registry,
        )
        self.outbox_dead_letters = Gauge(
            "refarch_outbox_dead_letters",
            "Events set aside in any outbox (malformed, or failed too often) awaiting an operator.",
            registry=self.registry,
        )
        self.consumer_dead_letters = Gauge(
            "refarch_event_consumer_dead_letters",
            "Broker messages this process's event consumers set aside on the dead-letter"
            " stream (malformed, or failed too often) since it started.",
            ["consumer"],
            registry=self.registry,
        )
        self.mail_deliveries = Gauge(
            "refarch_mail_deliveries",
            "Notification emails by state; dead_letter: bounced or failed too often (ADR 0041).",
            ["state"],
            registry=self.registry,
        )
        self.consumer_lag_events = Gauge(
            "refarch_event_consumer_lag_events",
            "Events on the stream a consumer of this process has not acknowledged yet"
            " (NaN when the broker cannot be asked).",
            ["consumer"],
            registry=self.registry,
        )
        self.consumer_lag_seconds = Gauge(
            "refarch_event_consumer_lag_seconds",
            "How far a consumer of this process trails: 0 when nothing waits, else the age"
            " of the newest event it applied.",
            ["consumer"],
            registry=self.registry,
        )
        # label lookups cost more than the increment itself; cache the children
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, operation_id: str, method: str, status: int, seconds: float) -> None:
        verb = method if method in _KNOWN_METHODS else "OTHER"
        key = (operation_id, verb, status)
        children = self._children.get(key)
        if children is None:
            labels = (operation_id, verb, _STATUS_CLASSES[min(status // 100, 5) - 1])
            children = (self.requests.labels(*labels), self.latency.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    async def render(self, pool: asyncpg.Pool | None, services: Backend | None) -> bytes:
        if pool is not None:
            size = pool.get_size()
            self.pool_size.set(size)
            self.pool_in_use.set(size - pool.get_idle_size())
        if services is not None:
            try:
                self.outbox_lag.set(await services.outbox_lag_seconds())
            except Exception:  # a scrape must still answer while the DB is down
                self.outbox_lag.set(float("nan"))
            try:
                self.outbox_dead_letters.set(await services.outbox_dead_letters())
            except Exception:
                self.outbox_dead_letters.set(float("nan"))
            for consumer, count in services.consumer_dead_letters().items():
                self.consumer_dead_letters.labels(consumer).set(count)
            for state, count in (await services.mail_deliveries()).items():
                self.mail_deliveries.labels(state).set(count)
            for consumer, (events, seconds) in services.consumer_lag().items():
                self.consumer_lag_events.labels(consumer).set(events)
                self.consumer_lag_seconds.labels(consumer).set(seconds)
        return generate_latest(self.registry)
