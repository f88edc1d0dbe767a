"""Run the real reference implementation on 127.0.0.1 for a test, and stop it afterwards.

Two ways, same handle:

* in a thread of the test process (``subprocess=False``, the default for one worker): the
  only way to inject faults through ``services_factory`` or to serve a fixture spec;
* as ``refarch serve`` in a child process (``subprocess=True``, implied by ``workers > 1``):
  exactly what an operator runs, including several worker processes.

Either way the server gets a fresh data directory under ``tmp_path``, a free port, a
bootstrap admin with a unique email and strong password (on the handle), and is only
returned once ``/api/v1/ready`` answers 200.

    with reference_server(tmp_path, database_url) as server:
        httpx.get(f"{server.api_url}/products")
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess as subprocesses
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from refarch.nats_server import temporary as temporary_broker
from refarch.pg import Database
from refarch.reference_impl.settings import Settings

__all__ = ["ServerHandle", "free_port", "reference_server"]

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 20.0


@dataclass
class ServerHandle:
    base_url: str  # http://127.0.0.1:<port>; metrics at base_url + "/metrics"
    database_url: str
    admin_email: str
    admin_password: str = field(repr=False)
    settings: Settings  # same signing key as the server: tests may issue tokens with it
    pid: int  # the process serving requests (this one when in-thread)
    database: Database | None  # set when the test owns a server it may stop() / start()
    log_path: Path | None  # the child's output (subprocess mode)
    stop: Callable[[], None]

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(
    base_url: str, alive: Callable[[], bool], describe_failure: Callable[[], str]
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"the server stopped during start-up ({last}). {describe_failure()}")
        try:
            response = httpx.get(f"{base_url}/api/v1/ready", timeout=2.0)
            if response.status_code == 200:
                return
            last = f"/ready answered {response.status_code}"
        except httpx.TransportError as exc:
            last = type(exc).__name__
        time.sleep(0.05)
    raise RuntimeError(
        f"the server was not ready after {READY_TIMEOUT_SECONDS:.0f} s ({last}). {describe_failure()}"
    )


def _base_env(
    database_url: str, data_dir: Path, admin_email: str, admin_password: str, validate: bool
) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REFARCH_DATA_DIR": str(data_dir),
        "REFARCH_ADMIN_EMAIL": admin_email,
        "REFARCH_ADMIN_PASSWORD": admin_password,
        "REFARCH_VALIDATE_RESPONSES": "true" if validate else "false",
        # test servers serve many suites and load runs from one address; the throttle
        # itself is tested with its own limit (tests/reference_impl/services)
        "REFARCH_REGISTRATION_IP_MAX": "100000",
    }


@contextmanager
def reference_server(
    tmp_path: Path,
    database_url: str,
    *,
    env: Mapping[str, str] | None = None,
    workers: int = 1,
    services_factory: Any = None,
    validate_responses: bool = True,
    subprocess: bool | None = None,
    database: Database | None = None,
    app_options: Mapping[str, Any] | None = None,
    asgi_wrapper: Callable[[Any, Settings], Any] | None = None,
) -> Iterator[ServerHandle]:
    """A running server against ``database_url`` (e.g. the ``database_url`` fixture).

    ``env`` adds REFARCH_* settings; ``app_options`` are extra keyword arguments for
    ``create_app`` in thread mode (``specs=``); ``database`` is handed back
    on the handle for tests that stop and restart PostgreSQL; ``asgi_wrapper(app, settings)``
    wraps the built app in thread mode (fault injection in front of the real app).
    """
    in_child = subprocess if subprocess is not None else workers > 1
    if workers > 1 and not in_child:
        raise ValueError("several workers need subprocess=True")
    if in_child and (services_factory is not None or app_options or asgi_wrapper):
        raise ValueError("services_factory, app_options and asgi_wrapper only work in thread mode")
    run_dir = tmp_path / f"server-{uuid.uuid4().hex[:8]}"
    data_dir = run_dir / "data"
    data_dir.mkdir(parents=True)
    admin_email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
    admin_password = secrets.token_urlsafe(24)
    full_env = {
        **_base_env(database_url, data_dir, admin_email, admin_password, validate_responses),
        **(env or {}),
    }
    # loading settings here generates the signing key file the server then reads, so the
    # test process can issue tokens the server accepts
    settings = Settings.from_env(full_env, data_dir=data_dir)
    if in_child:
        handle = _start_child(
            run_dir=run_dir, settings=settings, env=full_env, workers=workers, database=database
        )
    else:
        handle = _start_thread(
            run_dir=run_dir,
            settings=settings,
            services_factory=services_factory,
            app_options=dict(app_options or {}),
            database=database,
            asgi_wrapper=asgi_wrapper,
        )
    try:
        yield handle
    finally:
        handle.stop()


def _start_thread(
    *,
    run_dir: Path,
    settings: Settings,
    services_factory: Any,
    app_options: dict[str, Any],
    database: Database | None,
    asgi_wrapper: Callable[[Any, Settings], Any] | None = None,
) -> ServerHandle:
    import uvicorn

    from refarch.reference_impl.bootstrap import create_app

    app = create_app(settings, services_factory=services_factory, **app_options)
    if asgi_wrapper is not None:
        app = asgi_wrapper(app, settings)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    from refarch.reference_impl.platform.http_protocol import GuardedHttpProtocol

    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        server_header=False,
        http=GuardedHttpProtocol,  # as `refarch serve` does
    )
    server = uvicorn.Server(config)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # surfaced by _wait_ready's failure message
            errors.append(exc)

    thread = threading.Thread(target=run, name=f"reference-server-{port}", daemon=True)
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_SECONDS)
        sock.close()

    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(
            base_url,
            thread.is_alive,
            lambda: f"errors: {errors!r}; see the captured log for the start-up error",
        )
    except BaseException:
        stop()
        raise
    assert settings.database_url is not None
    return ServerHandle(
        base_url=base_url,
        database_url=settings.database_url,
        admin_email=settings.admin_email or "",
        admin_password=settings.admin_password or "",
        settings=settings,
        pid=os.getpid(),
        database=database,
        log_path=None,
        stop=stop,
    )


def _start_child(
    *,
    run_dir: Path,
    settings: Settings,
    env: Mapping[str, str],
    workers: int,
    database: Database | None,
) -> ServerHandle:
    port = free_port()
    log_path = run_dir / "server.log"
    command = [
        sys.executable,
        "-c",
        "from refarch.cli import main; main()",
        "serve",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        f"--data-dir={run_dir / 'data'}",
        "--log-level=info",
    ]
    with log_path.open("wb") as log_file:
        child = subprocesses.Popen(
            command,
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocesses.STDOUT,
            start_new_session=True,  # a Ctrl-C in the test terminal must not reach it twice
        )

    def stop() -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(STOP_TIMEOUT_SECONDS)
            except subprocesses.TimeoutExpired:
                child.kill()
                child.wait()

    def log_tail() -> str:
        text = log_path.read_text(errors="replace")
        return "server log (tail):\n" + text[-4000:]

    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, lambda: child.poll() is None, log_tail)
    except BaseException:
        stop()
        raise
    return ServerHandle(
        base_url=base_url,
        database_url=env["DATABASE_URL"],
        admin_email=env["REFARCH_ADMIN_EMAIL"],
        admin_password=env["REFARCH_ADMIN_PASSWORD"],
        settings=settings.with_(database_url=env["DATABASE_URL"]),
        pid=child.pid,
        database=database,
        log_path=log_path,
        stop=stop,
    )


#: A batch whose acks were lost on a busy CI machine comes back in 2 s, so the analytics
#: lag a conformance run waits for (ANL-009) clears well within its deadline.
BROKER_ENV = {"REFARCH_EVENT_ACK_WAIT_SECONDS": "2"}


@contextmanager
def reference_server_with_broker(
    tmp_path: Path, database_url: str, *, env: Mapping[str, str] | None = None
) -> Iterator[ServerHandle]:
    """A reference server with its own NATS JetStream, as `refarch serve` starts one: the
    analytics read model is fed only by the broker."""
    with temporary_broker(tmp_path / "nats") as broker:
        server_env = {**(env or {}), **BROKER_ENV, "NATS_URL": broker.url}
        with reference_server(tmp_path, database_url, env=server_env) as server:
            yield server
