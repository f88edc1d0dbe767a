"""The composition root: the one place that knows every part and wires them together.

``create_app`` builds the ASGI application; at start-up the platform opens the pool and
calls ``build_services`` on it, which builds each service on a unit-of-work factory, the
outbox relay, and the handlers bound to their services. Nothing else imports the services
to wire them, and the platform imports none of this (it receives a ``Backend``).
Tests build the same ``Services`` on a real pool, or hand ``create_app`` their own factory.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg

from refarch.pg import Database
from refarch.reference_impl.analytics.consumer import AnalyticsConsumer
from refarch.reference_impl.analytics.handlers import AnalyticsHandlers
from refarch.reference_impl.analytics.service import AnalyticsService
from refarch.reference_impl.analytics.store import STORE_FILE
from refarch.reference_impl.catalog.handlers import CatalogHandlers
from refarch.reference_impl.catalog.repository import CatalogUnitOfWork
from refarch.reference_impl.catalog.service import CatalogService
from refarch.reference_impl.event_consumer import EventConsumer
from refarch.reference_impl.event_schemas import preload as preload_event_schemas
from refarch.reference_impl.event_schemas import received_by, validate_envelope
from refarch.reference_impl.housekeeping import run_housekeeping
from refarch.reference_impl.jetstream import JetStreamBroker
from refarch.reference_impl.notifications.delivery import MailSender
from refarch.reference_impl.notifications.handlers import NotificationHandlers
from refarch.reference_impl.notifications.repository import NotificationsUnitOfWork
from refarch.reference_impl.notifications.service import NotificationsService
from refarch.reference_impl.notifications.smtp import SmtpMailer
from refarch.reference_impl.operations.handlers import OperationsHandlers
from refarch.reference_impl.orders.handlers import OrderHandlers
from refarch.reference_impl.orders.handlers_v2 import OrderHandlersV2
from refarch.reference_impl.orders.repository import OrdersUnitOfWork
from refarch.reference_impl.orders.service import OrdersService
from refarch.reference_impl.outbox import OutboxRelay
from refarch.reference_impl.platform.application import BackendFactory, ReferenceApp
from refarch.reference_impl.platform.contract import BackgroundTask, Operations, combine_operations
from refarch.reference_impl.platform.logs import configure_logging
from refarch.reference_impl.platform.routing import SpecSource
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.settings import ConfigError, Settings
from refarch.reference_impl.users.handlers import UserHandlers
from refarch.reference_impl.users.repository import UsersUnitOfWork
from refarch.reference_impl.users.service import UsersService

__all__ = ["Services", "app_from_env", "build_services", "create_app"]

log = logging.getLogger("refarch.reference_impl.bootstrap")

#: The API versions one process serves side by side, oldest first (ADR 0044).
SERVED_VERSIONS: tuple[str, ...] = ("v1", "v2")

HOUSEKEEPING_INTERVAL_SECONDS = 3600.0
OUTBOX_GAUGES_INTERVAL_SECONDS = 5.0
PENDING_EXPIRY_INTERVAL_SECONDS = 60.0
CONSUMER_LAG_INTERVAL_SECONDS = 2.0


@dataclass
class OutboxGauges:
    """The outbox figures /metrics shows, measured in the background (every few seconds)
    so that a scrape never touches the database and answers even while it hangs."""

    lag_seconds: float = 0.0
    dead_letters: int = 0
    mail_deliveries: dict[str, int] = field(default_factory=dict)  # by state (ADR 0041)


@dataclass
class Services:
    """The running services on one pool: what the platform sees as its ``Backend``."""

    settings: Settings
    pool: asyncpg.Pool
    users: UsersService
    catalog: CatalogService
    orders: OrdersService
    notifications: NotificationsService
    relay: OutboxRelay
    analytics: AnalyticsService
    #: The broker and the notifications' durable consumer on it; None without a broker
    #: (settings.nats_url unset), when the relay hands events to notifications in-process.
    broker: JetStreamBroker | None = None
    consumer: EventConsumer | None = None
    #: Analytics' own durable consumer; None without a broker or without the store.
    analytics_consumer: AnalyticsConsumer | None = None
    gauges: OutboxGauges = field(default_factory=lambda: OutboxGauges())
    mail_sender: MailSender | None = None  # None without an SMTP relay (settings.smtp)
    #: consumer -> (lag in events, lag in seconds), measured in the background like the
    #: outbox gauges so a scrape of /metrics never waits for the broker.
    consumer_lags: dict[str, tuple[float, float]] = field(default_factory=dict)

    def operations(self, version: str = "v1") -> Operations:
        """Every handler of one API version by operationId, bound to the services above.

        v2 changed only the orders API; the other services serve their v1 documents under
        both prefixes, so their handlers are the same objects in both versions.
        """
        if version not in SERVED_VERSIONS:
            raise ValueError(f"no handlers for API version {version!r}")
        orders = OrderHandlers(self.orders) if version == "v1" else OrderHandlersV2(self.orders)
        return combine_operations(
            OperationsHandlers(self.pool).operations(),
            UserHandlers(self.users).operations(),
            CatalogHandlers(self.catalog).operations(),
            orders.operations(),
            NotificationHandlers(self.notifications).operations(),
            AnalyticsHandlers(self.analytics).operations(),
        )

    async def start(self) -> None:
        """Create (or promote) the operator's admin account, when one is configured."""
        email, password = self.settings.admin_email, self.settings.admin_password
        if email and password:
            await self.users.ensure_bootstrap_admin(email, password)
            log.info("bootstrap admin account ready: %s", email)

    async def current_principal(self, claimed: Principal) -> Principal | None:
        return await self.users.current_principal(claimed)

    def background_tasks(self) -> Sequence[BackgroundTask]:
        housekeeping = functools.partial(
            run_housekeeping,
            {
                "users.refresh_tokens": self.users.prune_expired,
                "orders.idempotency_keys": self.orders.prune_expired,
                "notifications.inbox": self.notifications.prune_inbox,
            },
            interval_seconds=HOUSEKEEPING_INTERVAL_SECONDS,
        )
        # Unpaid orders expire within a minute of their time limit, not within the hour.
        expiry = functools.partial(
            run_housekeeping,
            {"orders.pending_expiry": self.orders.expire_pending},
            interval_seconds=PENDING_EXPIRY_INTERVAL_SECONDS,
        )
        tasks: list[BackgroundTask] = [
            self.relay.run_forever,
            housekeeping,
            expiry,
            self._keep_outbox_gauges_fresh,
        ]
        if self.broker is not None and self.consumer is not None:
            tasks.append(functools.partial(self.consumer.run, self.broker))
        if self.mail_sender is not None:
            tasks.append(self.mail_sender.run_forever)
        if self.broker is not None and self.analytics_consumer is not None:
            tasks.append(functools.partial(self.analytics_consumer.run, self.broker))
            tasks.append(self._keep_consumer_lag_fresh)
        return tasks

    async def outbox_lag_seconds(self) -> float:
        """The last measured lag: a scrape of /metrics never waits for the database."""
        return self.gauges.lag_seconds

    async def outbox_dead_letters(self) -> int:
        return self.gauges.dead_letters

    def consumer_dead_letters(self) -> dict[str, int]:
        counts = {}
        if self.consumer is not None:
            counts[self.consumer.name] = self.consumer.dead_letters
        if self.analytics_consumer is not None:
            counts[self.analytics_consumer.name] = self.analytics_consumer.dead_letters
        return counts

    def consumer_lag(self) -> dict[str, tuple[float, float]]:
        return dict(self.consumer_lags)

    async def _keep_consumer_lag_fresh(self) -> None:
        assert self.analytics_consumer is not None
        while True:
            try:
                freshness = await self.analytics.freshness()
                events = float("nan") if freshness.lag_events is None else freshness.lag_events
                self.consumer_lags[self.analytics_consumer.name] = (
                    events,
                    freshness.lag_seconds,
                )
            except Exception:  # keep the last values; the store or broker is busy or down
                log.warning("analytics lag not refreshed", exc_info=True)
            await asyncio.sleep(CONSUMER_LAG_INTERVAL_SECONDS)

    async def mail_deliveries(self) -> Mapping[str, int]:
        return self.gauges.mail_deliveries

    async def refresh_outbox_gauges(self) -> None:
        """Measure the outbox gauges now; NaN-free: a failed measurement keeps the last."""
        self.gauges.lag_seconds = await self.relay.lag_seconds()
        self.gauges.dead_letters = await self.relay.dead_letter_count()
        self.gauges.mail_deliveries = await self.notifications.delivery_counts()

    async def _keep_outbox_gauges_fresh(self) -> None:
        while True:
            try:
                await self.refresh_outbox_gauges()
            except Exception:  # the database is down or hung: keep the last values
                log.warning("outbox gauges not refreshed: database unavailable", exc_info=True)
            await asyncio.sleep(OUTBOX_GAUGES_INTERVAL_SECONDS)

    async def close(self) -> None:
        """The broker connection and the analytics store (its file lock) are ours; the pool
        belongs to the platform."""
        if self.broker is not None:
            await self.broker.close()
        await asyncio.to_thread(self.analytics.close)


#: The notifications service's durable consumer on the broker.
NOTIFICATIONS_CONSUMER = "notifications"
#: Events per relay publish round and per consumer fetch: fewer round trips per event
#: (bench/events.py measured ~1.5x the events/s of batches of 100 on a 2-core machine).
EVENT_BATCH = 500


async def build_services(pool: asyncpg.Pool, settings: Settings) -> Services:
    # parsing the AsyncAPI document blocks for seconds: off the event loop, before serving
    await asyncio.to_thread(preload_event_schemas)
    catalog = CatalogService(functools.partial(CatalogUnitOfWork, pool))
    notifications_uow = functools.partial(NotificationsUnitOfWork, pool)
    notifications = NotificationsService(notifications_uow, mail_from=settings.mail_from)
    prefix = settings.event_subject_prefix
    if settings.nats_url is not None:
        broker = JetStreamBroker(
            settings.nats_url,
            prefix=prefix,
            ack_wait_seconds=settings.event_ack_wait_seconds,
            batch_size=EVENT_BATCH,
        )
        relay = OutboxRelay(
            pool,
            broker=broker,
            poll_seconds=settings.outbox_poll_seconds,
            batch_size=EVENT_BATCH,
        )
        consumer = EventConsumer(
            NOTIFICATIONS_CONSUMER,
            pool,
            notifications.handle_events,
            functools.partial(validate_envelope, prefix=prefix),
            subject_prefix=prefix,
            event_types=received_by("notifications"),
        )
        return _services(settings, pool, catalog, notifications, relay, broker, consumer)
    # no broker: the relay checks each event and hands it to notifications in-process
    relay = OutboxRelay(pool, notifications.handle_event, poll_seconds=settings.outbox_poll_seconds)
    return _services(settings, pool, catalog, notifications, relay, None, None)


def _mail_sender(settings: Settings, pool: asyncpg.Pool) -> MailSender | None:
    """The background sender of notification emails, when there is a relay to send to."""
    if settings.smtp is None:
        return None
    notifications_uow = functools.partial(NotificationsUnitOfWork, pool)
    return MailSender(notifications_uow, SmtpMailer(settings.smtp), sender=settings.mail_from)


def _services(
    settings: Settings,
    pool: asyncpg.Pool,
    catalog: CatalogService,
    notifications: NotificationsService,
    relay: OutboxRelay,
    broker: JetStreamBroker | None,
    consumer: EventConsumer | None,
) -> Services:
    # Analytics is fed only by the broker: without one (or without its store, held by
    # another process) it answers from what it has and consumes nothing.
    analytics = AnalyticsService.open(settings.data_dir / STORE_FILE)
    analytics_consumer = None
    if broker is not None and analytics.available:
        analytics_consumer = AnalyticsConsumer(analytics, received_by("analytics"))
        analytics.count_pending_with(functools.partial(broker.pending, analytics_consumer.name))
    return Services(
        settings=settings,
        pool=pool,
        users=UsersService(functools.partial(UsersUnitOfWork, pool), settings),
        catalog=catalog,
        orders=OrdersService(
            functools.partial(OrdersUnitOfWork, pool),
            stock=catalog,
            pending_limit=settings.max_pending_orders,
            pending_ttl_seconds=settings.pending_order_ttl_seconds,
        ),
        notifications=notifications,
        relay=relay,
        analytics=analytics,
        broker=broker,
        consumer=consumer,
        mail_sender=_mail_sender(settings, pool),
        analytics_consumer=analytics_consumer,
    )


def create_app(
    settings: Settings,
    *,
    services_factory: BackendFactory | None = None,
    database: Database | None = None,
    specs: SpecSource | None = None,
) -> ReferenceApp:
    """The ASGI app serving every v1 and v2 spec with the services above.

    ``services_factory`` (default ``build_services``) and ``specs`` (default: every spec of
    every served version)
    are the seams tests use to inject faults or serve a fixture spec.
    """
    database_url = settings.database_url or (database.url if database else None)
    if not database_url:
        raise ConfigError(
            "no database: set DATABASE_URL, or let `refarch serve` start the embedded one"
        )
    return ReferenceApp(
        settings,
        database_url=database_url,
        backend_factory=services_factory or build_services,
        specs=specs or SpecSource(version=SERVED_VERSIONS[0], newer_versions=SERVED_VERSIONS[1:]),
    )


def app_from_env() -> ReferenceApp:
    """Factory for uvicorn workers: everything comes from the environment `serve` prepared."""
    configure_logging(os.environ.get("REFARCH_LOG_LEVEL", "info"))
    return create_app(Settings.from_env())
