"""However `refarch serve` ends — SIGTERM, SIGINT, SIGHUP, several workers, or killed
outright — the embedded PostgreSQL it started ends too; one left behind by a `kill -9` of
everything is recognised on the next start, said so clearly, and stopped with it.

Real processes throughout; every test stops any PostgreSQL it caused, whatever happens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from refarch import pg
from tests.support.server import free_port

SERVE = [sys.executable, "-c", "from refarch.cli import main; main()", "serve"]
START_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 30.0

pytestmark = pytest.mark.slow


@dataclass
class Serving:
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path

    @property
    def postmaster_pid_file(self) -> Path:
        return self.data_dir / "pgdata" / "postmaster.pid"

    def postmaster_pid(self) -> int:
        return int(self.postmaster_pid_file.read_text().split()[0])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and ") Z " not in stat.read_text()  # a zombie has ended


def _start(data_dir: Path, log_path: Path, *args: str) -> Serving:
    port = free_port()
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("REFARCH_", "DATABASE_", "NATS_"))
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*SERVE, f"--data-dir={data_dir}", f"--port={port}", *args],
            env=clean,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    serving = Serving(process, data_dir, log_path)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        assert process.poll() is None, serving.log()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready").status_code == 200:
                return serving
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, serving.log()
        time.sleep(0.2)


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The serve data directory; any PostgreSQL still running in it at the end is stopped."""
    directory = tmp_path / "data"
    yield directory
    if (directory / "pgdata" / "postmaster.pid").exists():
        pg.Database(url="", embedded_dir=directory / "pgdata").stop()


@pytest.mark.parametrize(
    ("how", "args"),
    [
        (signal.SIGTERM, ()),
        (signal.SIGINT, ()),
        (signal.SIGHUP, ()),
        (signal.SIGTERM, ("--workers", "2")),
        (signal.SIGINT, ("--workers", "2")),
    ],
    ids=["sigterm", "sigint", "sighup", "sigterm-2-workers", "sigint-2-workers"],
)
def test_serve_stops_its_embedded_postgres_when_signalled(
    data_dir: Path, tmp_path: Path, how: signal.Signals, args: tuple[str, ...]
) -> None:
    serving = _start(data_dir, tmp_path / "serve.log", *args)
    postmaster = serving.postmaster_pid()
    try:
        serving.process.send_signal(how)
        serving.process.wait(STOP_TIMEOUT_SECONDS)
    finally:
        if serving.process.poll() is None:
            serving.process.kill()
            serving.process.wait()
    assert _wait_gone(postmaster), f"PostgreSQL outlived serve after {how.name}:\n{serving.log()}"
    assert not serving.postmaster_pid_file.exists()


def test_serve_killed_outright_still_stops_its_embedded_postgres(
    data_dir: Path, tmp_path: Path
) -> None:
    serving = _start(data_dir, tmp_path / "serve.log")
    postmaster = serving.postmaster_pid()
    serving.process.kill()  # SIGKILL: no handler, no finally
    serving.process.wait()

    assert _wait_gone(postmaster), f"PostgreSQL outlived a killed serve:\n{serving.log()}"


def test_a_stale_postgres_left_by_kill_9_is_reported_and_stopped_by_the_next_serve(
    data_dir: Path, tmp_path: Path
) -> None:
    # what a `kill -9` of serve and everything it started but PostgreSQL leaves behind
    stale = pg.embedded(data_dir)
    (data_dir / "embedded-postgres.owner").write_text(
        "999999999\n"
    )  # an owner that no longer exists
    stale_pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    assert stale.url

    serving = _start(data_dir, tmp_path / "serve.log")
    try:
        serving.process.send_signal(signal.SIGTERM)
        serving.process.wait(STOP_TIMEOUT_SECONDS)
    finally:
        if serving.process.poll() is None:
            serving.process.kill()
            serving.process.wait()

    log = serving.log()
    assert "left running by a previous `refarch serve`" in log, log
    assert _wait_gone(stale_pid), log
