"""PostgreSQL stops mid-traffic: clients get 503 problem+json with Retry-After, never a
dropped connection or a 500, and the service recovers without a restart (OPS)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from refarch import pg
from refarch.reference_impl.platform.routing import SpecSource
from tests.reference_impl.platform.conftest import start_widget_server
from tests.support.server import ServerHandle, reference_server

RECOVERY_TIMEOUT_SECONDS = 30.0


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[pg.Database]:
    """A PostgreSQL server this test alone may stop (the shared one serves other tests)."""
    database = pg.embedded(tmp_path / "pg")
    yield database
    database.stop()


@pytest.fixture
def outage_server(
    tmp_path: Path, own_database: pg.Database, widget_specs: SpecSource
) -> Iterator[ServerHandle]:
    with start_widget_server(
        tmp_path, own_database.url, widget_specs, database=own_database
    ) as server:
        yield server


@pytest.fixture
def real_app_outage_server(tmp_path: Path, own_database: pg.Database) -> Iterator[ServerHandle]:
    """The real v1 app (it migrates the fresh server itself at start-up)."""
    with reference_server(tmp_path, own_database.url, database=own_database) as server:
        yield server


class _Traffic:
    """Clients hitting a database-backed operation until told to stop."""

    def __init__(self, request: Callable[[httpx.Client], httpx.Response], clients: int) -> None:
        self.request = request
        self.statuses: Counter[int] = Counter()
        self.transport_errors: list[str] = []
        self.bad_503s: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self) -> _Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _run(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while not self._stop.is_set():
                try:
                    response = self.request(client)
                except httpx.TransportError as exc:
                    with self._lock:
                        self.transport_errors.append(repr(exc))
                    continue
                with self._lock:
                    self.statuses[response.status_code] += 1
                    if response.status_code == 503 and (
                        "retry-after" not in response.headers
                        or response.headers["content-type"] != "application/problem+json"
                    ):
                        self.bad_503s.append(response.text)


def _wait_for(url: str, status: int) -> None:
    deadline = time.monotonic() + RECOVERY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if httpx.get(url, timeout=5.0).status_code == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered {status}")


def _restart_during_traffic(
    url: str, database: pg.Database, request: Callable[[httpx.Client], httpx.Response] | None = None
) -> _Traffic:
    with _Traffic(request or (lambda client: client.get(url)), clients=4) as traffic:
        _wait_for(url, 200)
        database.stop()
        down = httpx.get(url, timeout=5.0)
        assert down.status_code == 503
        assert down.headers["retry-after"].isdigit()
        assert down.json()["status"] == 503
        time.sleep(0.5)
        database.start()
        _wait_for(url, 200)
        time.sleep(0.3)  # some traffic after recovery too
    return traffic


def _assert_only_clean_503s(traffic: _Traffic) -> None:
    assert traffic.transport_errors == []
    assert set(traffic.statuses) <= {200, 503}, traffic.statuses
    assert traffic.statuses[503] > 0
    assert traffic.bad_503s == []


@pytest.mark.slow
@pytest.mark.requirement("OPS-003")
def test_database_restart_gives_503_then_recovers(
    outage_server: ServerHandle, own_database: pg.Database
) -> None:
    traffic = _restart_during_traffic(f"{outage_server.api_url}/database-time", own_database)
    _assert_only_clean_503s(traffic)


@pytest.mark.slow
@pytest.mark.requirement("OPS-003")
def test_real_services_answer_503_during_a_restart_and_recover(
    real_app_outage_server: ServerHandle, own_database: pg.Database
) -> None:
    server = real_app_outage_server
    login = httpx.post(
        f"{server.api_url}/auth/login",
        json={"email": server.admin_email, "password": server.admin_password},
    )
    auth = {"authorization": f"Bearer {login.json()['access_token']}"}
    product = httpx.post(
        f"{server.api_url}/products",
        json={
            "sku": "OUTAGE-1",
            "name": "Outage",
            "price": {"amount": 100, "currency": "EUR"},
            "stock": 1_000_000,
        },
        headers=auth,
    ).json()
    order = {
        "items": [{"product_id": product["id"], "quantity": 1}],
        "shipping_address": {
            "name": "A",
            "line1": "B",
            "city": "C",
            "postal_code": "1",
            "country": "DE",
        },
    }
    reads = _restart_during_traffic(f"{server.api_url}/products", own_database)
    _assert_only_clean_503s(reads)
    writes = _restart_during_traffic(
        f"{server.api_url}/products/{product['id']}",
        own_database,
        lambda client: client.post(f"{server.api_url}/orders", json=order, headers=auth),
    )
    assert writes.transport_errors == []
    assert set(writes.statuses) <= {201, 503}, writes.statuses
    assert writes.bad_503s == []


@pytest.mark.slow
@pytest.mark.requirement("OPS-003")
def test_readiness_is_503_while_the_database_is_down(
    outage_server: ServerHandle, own_database: pg.Database
) -> None:
    ready = f"{outage_server.api_url}/ready"
    assert httpx.get(ready).json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }
    own_database.stop()
    response = httpx.get(ready, timeout=10.0)
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert response.headers["content-type"] == "application/problem+json"
    health = httpx.get(f"{outage_server.api_url}/health")
    assert health.status_code == 200  # liveness never depends on the database
    own_database.start()
    _wait_for(ready, 200)
