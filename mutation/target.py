"""Where a mutant runs: one PostgreSQL for the whole run, a fresh database and server per mutant.

Start-up is the cost to avoid: PostgreSQL starts once, the migrations run once into a
template, and each mutant gets ``CREATE DATABASE … TEMPLATE`` (milliseconds) and its own
``refarch serve`` process importing the mutated copy of the code. Every process started
here runs in its own session and is killed with its whole group on every way out.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from refarch import pg
from refarch.migrate import apply_migrations

__all__ = [
    "Server",
    "ServerStartError",
    "TestDatabase",
    "end_group",
    "kill_all",
    "running_server",
    "spawn",
    "test_database",
]

TEMPLATE = "mutation_template"
READY_SECONDS = 30.0

#: The suite fails logins and registers accounts from one address on purpose; each mutant's
#: server is fresh, but a single quick run must not trip the per-address throttles.
SERVER_ENV = {
    "REFARCH_LOGIN_IP_MAX_FAILURES": "100000",
    "REFARCH_REGISTRATION_IP_MAX": "100000",
    "REFARCH_VALIDATE_RESPONSES": "false",  # the suite validates responses itself
    # a batch whose acks were lost on a busy machine comes back in 2 s, so the analytics lag
    # the suite waits for (ANL-009) clears well within its deadline
    "REFARCH_EVENT_ACK_WAIT_SECONDS": "2",
}


class ServerStartError(RuntimeError):
    """The mutated server never answered ``/ready``: the mutant broke start-up."""


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _build_template(url: str) -> None:
    await _execute(url, f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}")
    conn = await asyncpg.connect(_with_database(url, TEMPLATE))
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()


@dataclass
class TestDatabase:
    """The run's PostgreSQL with a migrated template; ``fresh()`` clones it per mutant."""

    __test__ = False
    url: str

    def fresh(self) -> str:
        name = f"m_{uuid.uuid4().hex[:16]}"
        asyncio.run(_execute(self.url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
        return _with_database(self.url, name)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        asyncio.run(_execute(self.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextmanager
def test_database(data_dir: Path) -> Iterator[TestDatabase]:
    """An embedded PostgreSQL owned by this process (a watchdog stops it even on SIGKILL)."""
    with pg.owned_embedded(data_dir, lambda message: print(message, file=sys.stderr)) as db:
        asyncio.run(_build_template(db.url))
        yield TestDatabase(db.url)


@dataclass(frozen=True)
class Server:
    base_url: str
    admin_email: str
    admin_password: str
    #: the embedded NATS that ``refarch serve`` started (and stops), for the event checks
    broker_url: str


#: process groups started by this run and not yet ended: ``kill_all`` ends them on the way
#: out (Ctrl-C, SIGTERM); PR_SET_PDEATHSIG ends each one should this process be SIGKILLed
_LIVE: set[int] = set()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(command: list[str], env: dict[str, str], **options: Any) -> subprocess.Popen[Any]:
    """A child in a session of its own (a terminal's Ctrl-C reaches only the harness, which
    then stops it in order) that dies with the thread that started it, however that ends."""
    process: subprocess.Popen[Any] = subprocess.Popen(
        command, env=env, start_new_session=True, preexec_fn=_die_with_parent, **options
    )
    _LIVE.add(process.pid)
    return process


def end_group(process: subprocess.Popen[Any], *, gracefully: bool = False) -> None:
    """Stop the child's whole process group and reap it."""
    try:
        if gracefully and process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # serve stops gracefully on Ctrl-C
            with suppress(subprocess.TimeoutExpired):
                process.wait(10)
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    _LIVE.discard(process.pid)


def kill_all() -> None:
    for pgid in list(_LIVE):
        with suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base_url}/api/v1/ready", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    tail = log_path.read_text(errors="replace")[-1500:]
    raise ServerStartError(f"the server did not become ready; log tail:\n{tail}")


@contextmanager
def running_server(source_root: Path, database_url: str, work_dir: Path) -> Iterator[Server]:
    """``refarch serve`` importing ``refarch`` from ``source_root`` (the mutated copy)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    port, nats_port = _free_port(), _free_port()
    admin_email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
    admin_password = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        **SERVER_ENV,
        # the copy comes first on the path; no bytecode, so a same-size mutation written
        # within the same second can never be served from a stale .pyc
        "PYTHONPATH": str(source_root),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": database_url,
        "REFARCH_DATA_DIR": str(work_dir / "data"),
        "REFARCH_ADMIN_EMAIL": admin_email,
        "REFARCH_ADMIN_PASSWORD": admin_password,
    }
    command = [
        sys.executable, "-c", "from refarch.cli import main; main()",
        "serve", "--host=127.0.0.1", f"--port={port}", f"--nats-port={nats_port}",
        "--log-level=warning",
    ]  # fmt: skip
    log_path = work_dir / "server.log"
    with log_path.open("wb") as log_file:
        # never the repository as working directory: ``python -c`` puts the working
        # directory first on sys.path, ahead of PYTHONPATH, and the repository's own
        # ``refarch/`` would then be served instead of the mutated copy
        process = spawn(command, env, stdout=log_file, stderr=subprocess.STDOUT, cwd=work_dir)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(base_url, process, log_path)
        yield Server(base_url, admin_email, admin_password, f"nats://127.0.0.1:{nats_port}")
    finally:
        end_group(process, gracefully=True)
