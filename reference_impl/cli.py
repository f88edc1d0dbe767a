"""``refarch serve``: the whole platform on one port, with zero configuration.

Without ``DATABASE_URL`` it starts the embedded PostgreSQL in the data directory (which
survives restarts) and stops it however the process ends (SIGINT, SIGTERM, SIGHUP, or
killed outright, through a watchdog), unless another live process had started it; one left
behind by a previous serve killed with everything it started is reported and taken over.
Without ``NATS_URL`` it starts the embedded NATS server with JetStream the same way
(storage in ``<data dir>/nats``, loopback only); one left behind is reported and stopped.
Migrations are applied once here, before any worker starts, so a bad migration is one
clear error instead of N interleaved ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from pathlib import Path

import asyncpg
import click

from refarch import nats_server, pg
from refarch.migrate import MigrationError, apply_migrations
from refarch.reference_impl.platform.database import DatabaseStartupError, redact
from refarch.reference_impl.platform.http_protocol import GuardedHttpProtocol
from refarch.reference_impl.platform.logs import configure_logging
from refarch.reference_impl.platform.validation import SpecError
from refarch.reference_impl.settings import ConfigError, Settings

__all__ = ["serve"]

log = logging.getLogger("refarch.reference_impl.serve")


async def _migrate_once(url: str) -> None:
    try:
        conn = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise DatabaseStartupError(
            f"cannot connect to PostgreSQL at {redact(url)}: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        for migration in await apply_migrations(conn):
            log.info("applied migration %s", migration.label)
    finally:
        await conn.close()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror}", 2)
        raise


def _fail(message: str, code: int) -> None:
    click.echo(f"refarch serve: {message}", err=True)
    sys.exit(code)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes sharing the port; all shared state lives in PostgreSQL.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Embedded PostgreSQL data and the generated signing key "
    "(default: $REFARCH_DATA_DIR or the user data dir).",
)
@click.option(
    "--metrics-port",
    default=None,
    type=click.IntRange(1, 65535),
    help="Serve /metrics on this port (same --host) instead of the API port. Needs --workers 1.",
)
@click.option(
    "--migrate-only",
    is_flag=True,
    help="Apply pending migrations (under the advisory lock) and exit: a deployment's "
    "migration step.",
)
@click.option(
    "--nats-port",
    default=0,
    show_default="any free port",
    type=click.IntRange(0, 65535),
    help="Port of the embedded NATS server on 127.0.0.1 (ignored when NATS_URL is set).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    workers: int,
    data_dir: Path | None,
    metrics_port: int | None,
    migrate_only: bool,
    nats_port: int,
    log_level: str,
) -> None:
    """Run the reference implementation under /api/v1 (metrics at /metrics)."""
    configure_logging(log_level)
    if metrics_port is not None and workers > 1:
        # worker processes share one API socket; a metrics listener per process cannot
        _fail("--metrics-port needs --workers 1 (run one process per pod or host)", 2)
    if metrics_port is not None and metrics_port == port:
        _fail(f"--metrics-port {metrics_port} equals --port: choose another port", 2)
    directory = data_dir or Path(os.environ.get("REFARCH_DATA_DIR") or pg.default_data_dir())
    try:
        settings = Settings.from_env(data_dir=directory)
    except ConfigError as exc:
        _fail(str(exc), 2)
        return

    _stop_gracefully_on_termination()
    with contextlib.ExitStack() as resources:
        if settings.database_url is None:
            database = resources.enter_context(pg.owned_embedded(directory, log.warning))
            settings = settings.with_(database_url=database.url)
            log.info("database: embedded PostgreSQL in %s", directory / "pgdata")
        else:
            log.info("database: %s", redact(settings.database_url))
        if settings.nats_url is None and not migrate_only:
            try:
                broker = resources.enter_context(
                    nats_server.owned_embedded(directory, log.warning, port=nats_port)
                )
            except nats_server.BrokerStartupError as exc:
                _fail(str(exc), 1)
                return
            settings = settings.with_(nats_url=broker.url)
            log.info(
                "events: embedded NATS JetStream at %s (storage %s)", broker.url, broker.store_dir
            )
        elif settings.nats_url is not None:
            log.info("events: NATS at %s", settings.nats_url)
        assert settings.database_url is not None
        _run(
            settings,
            settings.database_url,
            host,
            port,
            workers,
            directory,
            log_level,
            metrics_port=metrics_port,
            migrate_only=migrate_only,
        )


def _stop_gracefully_on_termination() -> None:
    """SIGTERM and SIGHUP end the process through ``finally`` blocks, like Ctrl-C.

    uvicorn handles SIGTERM itself and, after its graceful shutdown, raises it again; with
    the default action that killed the process before the embedded PostgreSQL was stopped.
    A hang-up (SIGHUP, the terminal closed) is turned into the same graceful stop; with
    several workers uvicorn's supervisor takes SIGHUP to restart them instead.
    """

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGHUP, lambda signum, frame: signal.raise_signal(signal.SIGTERM))


def _run(
    settings: Settings,
    database_url: str,
    host: str,
    port: int,
    workers: int,
    directory: Path,
    log_level: str,
    *,
    metrics_port: int | None,
    migrate_only: bool,
) -> None:
    import uvicorn

    try:
        asyncio.run(_migrate_once(database_url))
        if migrate_only:
            log.info("migrations applied; exiting (--migrate-only)")
            return
        metrics_url = f"http://{host}:{metrics_port or port}/metrics"
        log.info("listening on http://%s:%d/api/v1 (metrics at %s)", host, port, metrics_url)
        common = {
            "host": host,
            "port": port,
            "log_config": None,
            "access_log": False,  # the gateway writes one JSON line per request itself
            "lifespan": "on",
            "server_header": False,
            # read deadlines, header limits and problem+json refusals (ADR 0030)
            "http": GuardedHttpProtocol,
            # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise
            "proxy_headers": bool(settings.trusted_proxies),
            "forwarded_allow_ips": list(settings.trusted_proxies),
        }
        if metrics_port is not None:
            from refarch.reference_impl.bootstrap import create_app

            # one server, two listeners: the gateway tells them apart by local port
            app = create_app(settings.with_(metrics_port=metrics_port))
            sockets = [_listen(host, port), _listen(host, metrics_port)]
            uvicorn.Server(uvicorn.Config(app, **common)).run(sockets=sockets)  # type: ignore[arg-type]
        elif workers == 1:
            from refarch.reference_impl.bootstrap import create_app

            uvicorn.run(create_app(settings), **common)  # type: ignore[arg-type]
        else:
            # workers are fresh processes: hand them the same configuration via the env
            os.environ["DATABASE_URL"] = database_url
            if settings.nats_url is not None:
                os.environ["NATS_URL"] = settings.nats_url
            os.environ["REFARCH_DATA_DIR"] = str(directory)
            os.environ["REFARCH_LOG_LEVEL"] = log_level
            uvicorn.run(
                "refarch.reference_impl.bootstrap:app_from_env",
                factory=True,
                workers=workers,
                **common,  # type: ignore[arg-type]
            )
    except (DatabaseStartupError, MigrationError, SpecError, ConfigError) as exc:
        _fail(str(exc), 1)
