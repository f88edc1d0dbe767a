"""A server owned by one process, stopped however that process ends.

``refarch serve`` starts embedded servers (PostgreSQL, nats-server) that must not outlive
it: stopped normally, on a signal, and also when the process is killed outright with
SIGKILL, where no handler or ``finally`` runs. The pieces every such server shares live
here: is a pid still running, the owner file naming who must stop it, and the watchdog
process that stops it once its owner is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

__all__ = ["alive", "read_pids", "start_watchdog", "terminate", "wait_for_owner_exit"]


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie has ended; another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return ") Z " not in Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True


def read_pids(path: Path, count: int = 1) -> list[int] | None:
    """The first ``count`` whitespace-separated pids in ``path`` (an owner file, or
    PostgreSQL's postmaster.pid whose first line is the pid); None if unreadable."""
    try:
        words = path.read_text().split()[:count]
        pids = [int(word) for word in words]
    except (OSError, ValueError):
        return None
    return pids if len(pids) == count else None


def terminate(pid: int, *, timeout: float) -> None:
    """SIGTERM ``pid`` and wait up to ``timeout`` seconds for it to end; SIGKILL if it hangs."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(pid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def start_watchdog(module: str, function: str, *args: str | int) -> int:
    """Start a small process that runs ``module.function(*args, read_end)`` once this one is
    gone, however it ended; that function begins with ``wait_for_owner_exit(read_end)``.

    The watchdog blocks reading a pipe whose only write end this process holds (not
    inherited by workers or the server: Python's pipes are close-on-exec). The kernel closes
    it when this process exits, even on SIGKILL, and the watchdog's read returns. Returns
    the write end; closing it releases the watchdog.
    """
    read_end, write_end = os.pipe()
    arguments = ", ".join(repr(argument) for argument in (*args, read_end))
    subprocess.Popen(
        [sys.executable, "-c", f"from {module} import {function}; {function}({arguments})"],
        pass_fds=(read_end,),
        start_new_session=True,  # a terminal's Ctrl-C must not end it before we stop
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(read_end)
    return write_end


def wait_for_owner_exit(read_end: int) -> None:
    """In the watchdog: return once the owner has closed (or lost) the pipe's write end."""
    while os.read(read_end, 1):
        pass
