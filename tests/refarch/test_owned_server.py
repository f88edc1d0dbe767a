"""The owned-server core: a watchdog acts once its owner is gone, even killed with SIGKILL;
a hung server is killed; a zombie counts as ended. Real processes throughout."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from refarch.owned_server import alive, read_pids, terminate, wait_for_owner_exit

WAIT_SECONDS = 30.0


def record_owner_gone(marker: str, read_end: int) -> None:
    """The watchdog body under test: note that the owner has gone."""
    wait_for_owner_exit(read_end)
    Path(marker).write_text("owner gone\n")


def _wait_for(path: Path) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_watchdog_acts_when_its_owner_is_killed_outright(tmp_path: Path) -> None:
    marker = tmp_path / "gone"
    owner = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal\n"
            "from refarch.owned_server import start_watchdog\n"
            "start_watchdog('tests.refarch.test_owned_server', 'record_owner_gone',"
            f" {str(marker)!r})\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
        ],
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert owner.returncode == -signal.SIGKILL
    assert _wait_for(marker), "the watchdog never noticed its owner had gone"


def test_terminate_kills_a_server_that_ignores_sigterm() -> None:
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, sys, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "print('ready', flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert server.stdout is not None and server.stdout.readline() == b"ready\n"
        terminate(server.pid, timeout=0.2)
        assert server.wait(timeout=WAIT_SECONDS) == -signal.SIGKILL
    finally:
        server.kill()
        server.wait()


def test_a_process_that_ended_but_was_not_reaped_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + WAIT_SECONDS
    while Path(f"/proc/{child.pid}/stat").read_text().find(") Z ") < 0:
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.05)
    try:
        assert not alive(child.pid)
    finally:
        child.wait()


def test_read_pids_reads_owner_and_postmaster_files(tmp_path: Path) -> None:
    owner = tmp_path / "owner"
    owner.write_text("41 42\n")
    postmaster = tmp_path / "postmaster.pid"
    postmaster.write_text("4711\n/var/lib/pgdata\n1700000000\n5432\n")
    assert read_pids(owner, 2) == [41, 42]
    assert read_pids(postmaster) == [4711]
    assert read_pids(postmaster, 2) is None  # the second line is a path, not a pid
    assert read_pids(tmp_path / "missing") is None
    owner.write_text("41\n")
    assert read_pids(owner, 2) is None
