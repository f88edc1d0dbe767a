"""Start Locust as its own process and wait for it, within a hard time bound.

Locust never runs inside the CLI's process: gevent monkey-patches the standard library when
Locust is imported, which breaks other tools living in the same interpreter (ADR 0009).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from refarch.loadtests.errors import CannotRun
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.rundata import RUN_DATA_OPTION, STATUS_PATH_ENV, SUMMARY_PATH_ENV, RunData

__all__ = [
    "LOCUSTFILE",
    "STATUS_FILE",
    "Distribution",
    "Interrupted",
    "LocustRun",
    "locust_command",
    "run_locust",
]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
#: Time Locust gets beyond the run itself to ramp down, let users finish and write reports.
STOP_TIMEOUT_S = 5
GRACE_S = 60
#: After Ctrl-C, how long Locust gets to stop its users and write its statistics.
INTERRUPT_GRACE_S = 20
#: How often the CLI wakes up to check on Locust and refresh the live status.
POLL_S = 0.5
STATUS_FILE = "status.json"


class Interrupted(Exception):
    """Ctrl-C during the run: Locust was stopped and asked to write what it had so far."""

    def __init__(self, elapsed_s: float) -> None:
        super().__init__(f"interrupted after {elapsed_s:.0f} s")
        self.elapsed_s = elapsed_s


@dataclass(frozen=True)
class Distribution:
    """Where the users run: this process alone, forked local workers, or remote workers."""

    processes: int = 1  # > 1: Locust's --processes (a master plus forked workers on this host)
    remote_workers: int = 0  # > 0: a master that waits for this many `--worker` processes
    master_port: int = 5557  # Locust's default; where remote workers connect
    wait_for_workers_s: int = 120

    def describe(self) -> str:
        if self.remote_workers:
            return f"master waiting for {self.remote_workers} remote worker(s) on port {self.master_port}"
        return f"{self.processes} process(es)"


@dataclass(frozen=True)
class LocustRun:
    returncode: int
    log: Path
    html: Path


def locust_command(
    base_url: str, shape: RunShape, report_dir: Path, run_data: RunData, distribution: Distribution
) -> list[str]:
    command = [
        sys.executable, "-m", "locust",
        "-f", str(LOCUSTFILE),
        "--headless",
        "--host", base_url,
        "--users", str(shape.users),
        "--spawn-rate", str(shape.spawn_rate),
        "--run-time", f"{shape.duration_s}s",
        "--stop-timeout", str(STOP_TIMEOUT_S),
        "--only-summary",
        "--html", str(report_dir / "locust.html"),
        "--csv", str(report_dir / "locust"),
        # one row per operation every second: the charts and the live status are built from it
        "--csv-full-history",
        RUN_DATA_OPTION, run_data.to_json(),
    ]  # fmt: skip
    if distribution.remote_workers:
        command += [
            "--master",
            "--master-bind-port", str(distribution.master_port),
            "--expect-workers", str(distribution.remote_workers),
            "--expect-workers-max-wait", str(distribution.wait_for_workers_s),
        ]  # fmt: skip
    elif distribution.processes > 1:
        # forked workers talk to their master over loopback on a free port, not Locust's fixed
        # 5557 on every interface: two gates on one CI host must not find each other's master
        port = _free_loopback_port()
        command += [
            "--processes", str(distribution.processes),
            "--master-bind-host", "127.0.0.1",
            "--master-bind-port", str(port),
            "--master-port", str(port),
        ]  # fmt: skip
    return command


def _free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(summary_path: Path, status_path: Path) -> dict[str, str]:
    # LOCUST_* variables would silently change the run shape; the CLI's flags are the truth
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")}
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    env[SUMMARY_PATH_ENV] = str(summary_path)
    env[STATUS_PATH_ENV] = str(status_path)
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    # the whole group: with --processes the master's forked workers live there too
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _stop_gracefully(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM makes Locust quit as at the end of a run: users stop, the quitting listener
    writes the statistics so far, the CSV files are closed. Whatever is left after the grace
    period (or a second Ctrl-C) is killed, so no load generator ever outlives the command."""
    try:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=INTERRUPT_GRACE_S)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        pass
    finally:
        _stop(process)


def run_locust(
    base_url: str,
    shape: RunShape,
    report_dir: Path,
    run_data: RunData,
    summary_path: Path,
    distribution: Distribution,
    on_tick: Callable[[Path], None] = lambda _status: None,
) -> LocustRun:
    """Run Locust to the end, calling ``on_tick(status_path)`` about twice a second meanwhile.

    Raises Interrupted on Ctrl-C (after stopping Locust) and CannotRun when it hangs.
    """
    log = report_dir / "locust.log"
    status_path = report_dir / STATUS_FILE
    status_path.unlink(missing_ok=True)  # a stale status must never be shown as this run's
    timeout = shape.duration_s + STOP_TIMEOUT_S + GRACE_S
    if distribution.remote_workers:
        timeout += distribution.wait_for_workers_s
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            locust_command(base_url, shape, report_dir, run_data, distribution),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_environment(summary_path, status_path),
            # the report directory, so a locust.conf in the caller's directory is not picked up
            cwd=report_dir,
            # its own process group: a terminal's Ctrl-C reaches the CLI only, which then stops
            # Locust in order; and a hung run can be stopped with its --processes workers
            start_new_session=True,
        )
        try:
            while process.poll() is None:
                if time.monotonic() - started > timeout:
                    _stop(process)
                    raise CannotRun(
                        f"Locust did not finish within {timeout} s of a {shape.duration_s} s run "
                        f"and was stopped; see {log}."
                    )
                on_tick(status_path)
                time.sleep(POLL_S)
        except KeyboardInterrupt:
            _stop_gracefully(process)
            raise Interrupted(time.monotonic() - started) from None
        except BaseException:  # never leave a load generator running
            _stop(process)
            raise
    return LocustRun(process.returncode, log, report_dir / "locust.html")
