"""The two `refarch serve` options the deployment relies on, against a real server.

* ``--metrics-port``: the Kubernetes manifests expose the API port to the load balancer
  and the metrics port only to Prometheus, so /metrics must live on its own listener and
  disappear from the API port.
* ``--migrate-only``: the pod's init container applies the migrations and exits.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from refarch.migrate import discover
from tests.support.server import free_port

REPO = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-c", "from refarch.cli import main; main()", "serve"]
STRONG_KEY = "k" * 48


def _env(database_url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REFARCH_", "DATABASE_"))}
    return {**clean, "DATABASE_URL": database_url, "REFARCH_TOKEN_SIGNING_KEY": STRONG_KEY}


@contextmanager
def _serving(tmp_path: Path, database_url: str, *args: str) -> Iterator[Path]:
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        child = subprocess.Popen(
            [*SERVE, f"--data-dir={tmp_path / 'data'}", *args],
            env=_env(database_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log_path
    finally:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)


def _wait_ready(url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready at {url}: {log_path.read_text()}")


def test_metrics_port_serves_metrics_and_the_api_port_no_longer_does(
    tmp_path: Path, database_url: str
) -> None:
    port, metrics_port = free_port(), free_port()
    with _serving(
        tmp_path, database_url, f"--port={port}", f"--metrics-port={metrics_port}"
    ) as log:
        api, metrics = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
        _wait_ready(f"{api}/api/v1/ready", log)

        scraped = httpx.get(f"{metrics}/metrics")
        assert scraped.status_code == 200
        assert scraped.headers["content-type"].startswith("text/plain")
        assert "refarch_" in scraped.text

        hidden = httpx.get(f"{api}/metrics")
        assert hidden.status_code == 404
        assert hidden.headers["content-type"] == "application/problem+json"

        not_api = httpx.get(f"{metrics}/api/v1/health")
        assert not_api.status_code == 404
        assert "Only /metrics" in not_api.json()["detail"]

        assert httpx.get(f"{api}/api/v1/health").status_code == 200


def test_without_metrics_port_metrics_stay_on_the_api_port(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    with _serving(tmp_path, database_url, f"--port={port}") as log:
        _wait_ready(f"http://127.0.0.1:{port}/api/v1/ready", log)
        assert httpx.get(f"http://127.0.0.1:{port}/metrics").status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers=2", "--metrics-port=9100"], "--metrics-port needs --workers 1"),
        (["--port=9100", "--metrics-port=9100"], "equals --port"),
    ],
)
def test_impossible_metrics_port_settings_are_usage_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = subprocess.run(
        [*SERVE, f"--data-dir={tmp_path / 'data'}", *args],
        env=_env("postgresql://nobody@127.0.0.1:1/none"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_only_applies_every_migration_and_exits(
    tmp_path: Path, empty_database_url: str
) -> None:
    result = subprocess.run(
        [*SERVE, f"--data-dir={tmp_path / 'data'}", f"--port={free_port()}", "--migrate-only"],
        env=_env(empty_database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "migrations applied; exiting" in result.stderr

    async def applied() -> int:
        conn = await asyncpg.connect(empty_database_url)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM refarch_meta.applied_migrations"))
        finally:
            await conn.close()

    # every PostgreSQL migration (the analytics folder is DuckDB's, applied by its service)
    postgres_migrations = discover(REPO / "specs")
    assert asyncio.run(applied()) == len(postgres_migrations) > 0
