"""The ASGI application: a lifespan that opens the pool and a gateway that serves requests.

Start-up opens the pool, applies the migrations, asks the ``backend_factory`` for the
:class:`~reference_impl.platform.contract.Backend` (the composition root builds it on the
open pool), compiles every route of the specs against the backend's handlers, and starts
the background tasks. An unbound operation or a schema that does not compile stops
start-up before a request is served. The platform never imports the services: the backend
is handed in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from refarch.reference_impl.platform.contract import Backend, BackgroundTask
from refarch.reference_impl.platform.database import create_pool, migrate, redact
from refarch.reference_impl.platform.gateway import Gateway, RuntimeState
from refarch.reference_impl.platform.logs import flush_logs
from refarch.reference_impl.platform.metrics import Metrics
from refarch.reference_impl.platform.routing import SpecSource, build_versioned_route_table
from refarch.reference_impl.settings import Settings

__all__ = ["BackendFactory", "ReferenceApp"]

log = logging.getLogger("refarch.reference_impl.app")

#: Builds the backend on the open pool; tests substitute their own to inject faults.
BackendFactory = Callable[[asyncpg.Pool, Settings], Awaitable[Backend]]

_RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
LOG_FLUSH_SECONDS = 0.2


class ReferenceApp:
    """The ASGI application: ``http`` goes to the gateway, ``lifespan`` opens resources."""

    def __init__(
        self,
        settings: Settings,
        *,
        database_url: str,
        backend_factory: BackendFactory,
        specs: SpecSource,
    ) -> None:
        self.settings = settings
        self.specs = specs
        self.database_url = database_url
        self._backend_factory = backend_factory
        self.state = RuntimeState()
        self.metrics = Metrics()
        self.gateway: Gateway | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            if self.gateway is None:
                raise RuntimeError("the application has not finished starting")
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
        pool = await create_pool(
            self.database_url,
            min_size=self.settings.pool_min_size,
            max_size=self.settings.pool_max_size,
            deadline_seconds=self.settings.database_deadline_seconds,
        )
        self.state.pool = pool
        log.info("database %s", redact(self.database_url))
        await migrate(self.database_url, self.specs.root)
        backend = await self._backend_factory(pool, self.settings)
        self.state.backend = backend
        # the first version's handlers come from operations() (what every backend has);
        # a newer version's from operations(version)
        routes = build_versioned_route_table(
            self.specs,
            lambda version: (
                backend.operations()
                if version == self.specs.version
                else backend.operations(version)
            ),
        )
        self.gateway = Gateway(routes, self.settings, self.metrics, self.state)
        await backend.start()
        self._tasks = [
            asyncio.create_task(self._supervise(task), name=getattr(task, "__qualname__", None))
            for task in (*backend.background_tasks(), _flush_logs_periodically)
        ]

    async def shutdown(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        flush_logs()
        backend, self.state.backend = self.state.backend, None
        if backend is not None:
            await backend.close()
        pool, self.state.pool = self.state.pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=5)
            except (TimeoutError, OSError):
                pool.terminate()

    @staticmethod
    async def _supervise(task: BackgroundTask) -> None:
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
