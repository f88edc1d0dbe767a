"""The composition of the platform: routes from the specs, a pool, the services, a lifespan.

``create_app`` compiles every route before anything is served, so an unbound operation or
a schema that does not compile stops start-up. The lifespan then opens the pool, applies
the migrations, builds the services through ``services_factory`` (the seam tests use to
inject faults), creates the bootstrap admin and runs the background tasks.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from refarch.pg import Database
from reference_impl.platform.contract import HandlerRegistry
from reference_impl.platform.database import create_pool, migrate, redact
from reference_impl.platform.gateway import Gateway, RuntimeState
from reference_impl.platform.logs import configure_logging, flush_logs
from reference_impl.platform.metrics import Metrics
from reference_impl.platform.routing import SpecSource, build_route_table, load_handlers
from reference_impl.settings import ConfigError, Settings

if TYPE_CHECKING:
    import asyncpg

    from reference_impl.bootstrap import Services

__all__ = ["ReferenceApp", "ServicesFactory", "app_from_env", "create_app"]

log = logging.getLogger("reference_impl.app")

ServicesFactory = Callable[["asyncpg.Pool", Settings], Awaitable["Services"]]

_RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
LOG_FLUSH_SECONDS = 0.2


async def _default_services_factory(pool: asyncpg.Pool, settings: Settings) -> Services:
    from reference_impl.bootstrap import build_services

    return await build_services(pool, settings)


class ReferenceApp:
    """The ASGI application: ``http`` goes to the gateway, ``lifespan`` opens resources."""

    def __init__(
        self,
        settings: Settings,
        *,
        services_factory: ServicesFactory,
        database: Database | None,
        specs: SpecSource,
        registry: HandlerRegistry | None,
    ) -> None:
        self.settings = settings
        self.specs = specs
        self.database_url = settings.database_url or (database.url if database else None)
        if not self.database_url:
            raise ConfigError(
                "no database: set DATABASE_URL, or let `refarch serve` start the embedded one"
            )
        self._services_factory = services_factory
        self.routes = build_route_table(specs, registry or load_handlers())
        self.state = RuntimeState()
        self.metrics = Metrics()
        self.gateway = Gateway(self.routes, settings, self.metrics, self.state)
        self._tasks: list[asyncio.Task[None]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.gateway(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.error("start-up failed: %s", exc, exc_info=exc)
                    await self.shutdown()
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        assert self.database_url is not None
        pool = await create_pool(
            self.database_url,
            min_size=self.settings.pool_min_size,
            max_size=self.settings.pool_max_size,
        )
        self.state.pool = pool
        log.info("database %s", redact(self.database_url))
        await migrate(pool, self.specs.root)
        services = await self._services_factory(pool, self.settings)
        self.state.services = services
        if self.settings.admin_email and self.settings.admin_password:
            await services.users.ensure_bootstrap_admin(
                self.settings.admin_email, self.settings.admin_password
            )
            log.info("bootstrap admin account ready: %s", self.settings.admin_email)
        self._tasks = [
            asyncio.create_task(self._supervise(task), name=getattr(task, "__qualname__", None))
            for task in (*services.background_tasks(), _flush_logs_periodically)
        ]

    async def shutdown(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        flush_logs()
        services, self.state.services = self.state.services, None
        if services is not None:
            await services.close()
        pool, self.state.pool = self.state.pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=5)
            except (TimeoutError, OSError):
                pool.terminate()

    @staticmethod
    async def _supervise(task: Callable[[], Awaitable[None]]) -> None:
        """Run a background task for the app's lifetime, restarting it when it fails
        (e.g. the outbox relay while PostgreSQL restarts) with a growing delay."""
        name = getattr(task, "__qualname__", repr(task))
        failures = 0
        while True:
            try:
                await task()
                log.info("background task %s finished", name)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                delay = _RESTART_DELAYS[min(failures, len(_RESTART_DELAYS) - 1)]
                failures += 1
                log.exception("background task %s failed; restarting in %.0f s", name, delay)
                await asyncio.sleep(delay)


async def _flush_logs_periodically() -> None:
    """Batched log lines reach stderr within LOG_FLUSH_SECONDS (see BatchedLineHandler)."""
    while True:
        await asyncio.sleep(LOG_FLUSH_SECONDS)
        flush_logs()


def create_app(
    settings: Settings,
    *,
    services_factory: ServicesFactory | None = None,
    database: Database | None = None,
    specs: SpecSource | None = None,
    registry: HandlerRegistry | None = None,
) -> ReferenceApp:
    """The ASGI app. ``specs`` and ``registry`` default to every v1 spec and the handlers
    that ``reference_impl.bootstrap.HANDLER_MODULES`` register; tests may narrow both."""
    return ReferenceApp(
        settings,
        services_factory=services_factory or _default_services_factory,
        database=database,
        specs=specs or SpecSource(),
        registry=registry,
    )


def app_from_env() -> ReferenceApp:
    """Factory for uvicorn workers: everything comes from the environment `serve` prepared."""
    configure_logging(os.environ.get("REFARCH_LOG_LEVEL", "info"))
    return create_app(Settings.from_env())
