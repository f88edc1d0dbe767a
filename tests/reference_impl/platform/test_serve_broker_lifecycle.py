"""However `refarch serve` ends, the embedded nats-server it started ends too; one left
behind by a `kill -9` of everything is reported and stopped by the next serve.

Real processes throughout (the same harness as the PostgreSQL lifecycle tests)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from refarch import nats_server, pg
from tests.reference_impl.platform.test_serve_lifecycle import (
    STOP_TIMEOUT_SECONDS,
    Serving,
    _alive,
    _start,
    _wait_gone,
)

pytestmark = pytest.mark.slow

OWNER = nats_server.OWNER_FILE


def broker_pid(serving: Serving) -> int:
    owner, server = (serving.data_dir / OWNER).read_text().split()
    assert int(owner) == serving.process.pid
    return int(server)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The serve data directory; whatever still runs in it at the end is stopped."""
    directory = tmp_path / "data"
    yield directory
    if (directory / "pgdata" / "postmaster.pid").exists():
        pg.Database(url="", embedded_dir=directory / "pgdata").stop()
    owner = directory / OWNER
    if owner.exists():
        server = int(owner.read_text().split()[1])
        if _alive(server):
            os.kill(server, signal.SIGKILL)


@pytest.mark.parametrize(
    ("how", "args"),
    [(signal.SIGTERM, ()), (signal.SIGINT, ("--workers", "2"))],
    ids=["sigterm", "sigint-2-workers"],
)
def test_serve_stops_its_embedded_broker_when_signalled(
    data_dir: Path, tmp_path: Path, how: signal.Signals, args: tuple[str, ...]
) -> None:
    serving = _start(data_dir, tmp_path / "serve.log", *args)
    broker = broker_pid(serving)
    try:
        serving.process.send_signal(how)
        serving.process.wait(STOP_TIMEOUT_SECONDS)
    finally:
        if serving.process.poll() is None:
            serving.process.kill()
            serving.process.wait()
    assert _wait_gone(broker), f"nats-server outlived serve after {how.name}:\n{serving.log()}"
    assert not (data_dir / OWNER).exists()


def test_serve_killed_outright_still_stops_its_embedded_broker(
    data_dir: Path, tmp_path: Path
) -> None:
    serving = _start(data_dir, tmp_path / "serve.log")
    broker = broker_pid(serving)
    serving.process.kill()  # SIGKILL: no handler, no finally; the watchdog must act
    serving.process.wait()

    assert _wait_gone(broker), f"nats-server outlived a killed serve:\n{serving.log()}"


def test_a_stale_broker_left_by_kill_9_is_reported_and_stopped_by_the_next_serve(
    data_dir: Path, tmp_path: Path
) -> None:
    # what a `kill -9` of serve and its watchdog leaves behind: a server holding the storage
    stale = nats_server.start(data_dir / "nats")
    (data_dir / OWNER).write_text(f"999999999 {stale.pid}\n")  # an owner that is gone

    serving = _start(data_dir, tmp_path / "serve.log")
    try:
        fresh = broker_pid(serving)
        serving.process.send_signal(signal.SIGTERM)
        serving.process.wait(STOP_TIMEOUT_SECONDS)
    finally:
        if serving.process.poll() is None:
            serving.process.kill()
            serving.process.wait()
        if stale.process.poll() is None:
            stale.process.kill()
        stale.process.wait()

    log = serving.log()
    assert "nats-server" in log and "left running by a previous `refarch serve`" in log, log
    assert fresh != stale.pid
    assert _wait_gone(fresh), log
