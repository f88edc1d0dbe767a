"""``refarch serve``: clear start-up errors, several workers, the embedded database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port, reference_server

SERVE = [sys.executable, "-c", "from refarch.cli import main; main()", "serve"]


def _serve(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REFARCH_", "DATABASE_"))}
    return subprocess.run(
        [*SERVE, f"--data-dir={tmp_path / 'data'}", f"--port={free_port()}", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_weak_signing_key_is_a_clear_error_with_exit_code_2(
    tmp_path: Path, database_url: str
) -> None:
    result = _serve(tmp_path, {"DATABASE_URL": database_url, "REFARCH_TOKEN_SIGNING_KEY": "secret"})
    assert result.returncode == 2
    assert "REFARCH_TOKEN_SIGNING_KEY is too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql://refarch:hunter2-password@127.0.0.1:{free_port()}/nowhere"
    result = _serve(tmp_path, {"DATABASE_URL": url})
    assert result.returncode == 1
    assert "cannot connect to PostgreSQL at postgresql://refarch:***@127.0.0.1" in result.stderr
    assert "hunter2-password" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_two_workers_share_one_port_and_the_bootstrap_admin(
    tmp_path: Path, database_url: str
) -> None:
    with reference_server(tmp_path, database_url, workers=2) as server:
        assert server.log_path is not None
        # the server is ready once one worker answers; on a busy 2-core machine the second
        # may still be importing, so wait for both before counting on them
        deadline = time.monotonic() + 60
        while server.log_path.read_text().count("Application startup complete") < 2:
            assert time.monotonic() < deadline, server.log_path.read_text()[-4000:]
            time.sleep(0.1)
        for _ in range(6):  # spread over both workers: each one must know the admin
            login = httpx.post(
                f"{server.api_url}/auth/login",
                json={"email": server.admin_email, "password": server.admin_password},
            )
            assert login.status_code == 200, login.text
            assert login.headers["cache-control"] == "no-store"
        log = server.log_path.read_text()
    assert log.count("Started server process") >= 2
    assert server.admin_password not in log


@pytest.mark.slow
def test_without_database_url_it_runs_and_stops_its_own_embedded_postgres(
    tmp_path: Path,
) -> None:
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REFARCH_", "DATABASE_"))}
    data_dir = tmp_path / "data"
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        child = subprocess.Popen(
            [*SERVE, f"--data-dir={data_dir}", f"--port={port}"],
            env=clean,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert child.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        assert (data_dir / "pgdata" / "postmaster.pid").exists()
        assert (data_dir / "token-signing.key").stat().st_mode & 0o077 == 0
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(60)
    assert child.returncode == 0, log_path.read_text()
    assert not (data_dir / "pgdata" / "postmaster.pid").exists()
    output = log_path.read_text()
    assert f"listening on http://127.0.0.1:{port}/api/v1" in output
    assert "embedded PostgreSQL" in output
