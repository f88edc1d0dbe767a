"""PostgreSQL hangs (its processes stopped with SIGSTOP, not killed): every request that
needs it answers 503 problem+json with Retry-After once its deadline passes, instead of
waiting for the whole outage; /health and /metrics never touch the database; /ready says
not-ready; and the service recovers by itself when PostgreSQL continues."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from refarch import pg
from tests.support.server import ServerHandle, reference_server

#: A generous client timeout: a request still waiting when it passes has no deadline.
CLIENT_TIMEOUT_SECONDS = 20.0
RECOVERY_TIMEOUT_SECONDS = 30.0
DEADLINE_SECONDS = "2"


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[pg.Database]:
    database = pg.embedded(tmp_path / "pg")
    yield database
    database.stop()


@pytest.fixture
def server(tmp_path: Path, own_database: pg.Database) -> Iterator[ServerHandle]:
    with reference_server(
        tmp_path,
        own_database.url,
        database=own_database,
        env={"REFARCH_DATABASE_DEADLINE_SECONDS": DEADLINE_SECONDS},
    ) as handle:
        yield handle


def _postgres_pids(database: pg.Database) -> list[int]:
    """The postmaster and every backend and auxiliary process it started."""
    assert database.embedded_dir is not None
    postmaster = int((database.embedded_dir / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(entry.name))
    return [postmaster, *children]


@contextmanager
def _hung(database: pg.Database) -> Iterator[None]:
    """PostgreSQL frozen for the block; always continued afterwards, whatever happens."""
    pids = _postgres_pids(database)
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"].isdigit()


def _wait_until(url: str, status: int) -> None:
    deadline = time.monotonic() + RECOVERY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5.0).status_code == status:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered {status}")


@pytest.mark.slow
def test_a_hung_database_gives_503s_past_the_deadline_and_the_service_recovers(
    server: ServerHandle, own_database: pg.Database
) -> None:
    api = server.api_url
    login = httpx.post(
        f"{api}/auth/login", json={"email": server.admin_email, "password": server.admin_password}
    )
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    product = {
        "sku": f"HANG-{uuid.uuid4().hex[:8].upper()}",
        "name": "Hang",
        "price": {"amount": 100, "currency": "EUR"},
    }
    pool_size = server.settings.pool_max_size

    with _hung(own_database), httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS) as client:
        assert client.get(f"{api}/health").status_code == 200
        metrics = client.get(f"{server.base_url}/metrics")
        assert metrics.status_code == 200
        _unavailable(client.get(f"{api}/ready"))
        _unavailable(client.get(f"{api}/products"))
        _unavailable(client.post(f"{api}/products", json=product, headers=admin))
        # more requests than the pool has connections: waiting for one has a deadline too
        with ThreadPoolExecutor(pool_size * 2) as threads:
            burst = list(threads.map(lambda _: client.get(f"{api}/products"), range(pool_size * 2)))
        for response in burst:
            _unavailable(response)

    _wait_until(f"{api}/ready", 200)
    assert httpx.get(f"{api}/products").status_code == 200
    created = httpx.post(f"{api}/products", json=product, headers=admin)
    assert created.status_code == 201, created.text
