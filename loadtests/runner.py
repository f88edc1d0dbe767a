"""Start Locust as its own process and wait for it, within a hard time bound.

Locust never runs inside the CLI's process: gevent monkey-patches the standard library when
Locust is imported, which breaks other tools living in the same interpreter (ADR 0009).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from refarch.loadtests.errors import CannotRun
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.rundata import RUN_DATA_OPTION, SUMMARY_PATH_ENV, RunData

__all__ = ["LOCUSTFILE", "Distribution", "LocustRun", "locust_command", "run_locust"]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
#: Time Locust gets beyond the run itself to ramp down, let users finish and write reports.
STOP_TIMEOUT_S = 5
GRACE_S = 60


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


def _environment(summary_path: Path) -> dict[str, str]:
    # LOCUST_* variables would silently change the run shape; the CLI's flags are the truth
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")}
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    env[SUMMARY_PATH_ENV] = str(summary_path)
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def run_locust(
    base_url: str,
    shape: RunShape,
    report_dir: Path,
    run_data: RunData,
    summary_path: Path,
    distribution: Distribution,
) -> LocustRun:
    log = report_dir / "locust.log"
    timeout = shape.duration_s + STOP_TIMEOUT_S + GRACE_S
    if distribution.remote_workers:
        timeout += distribution.wait_for_workers_s
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            locust_command(base_url, shape, report_dir, run_data, distribution),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_environment(summary_path),
            # the report directory, so a locust.conf in the caller's directory is not picked up
            cwd=report_dir,
            # its own process group, so a hung run can be stopped with its --processes workers
            start_new_session=True,
        )
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise CannotRun(
                f"Locust did not finish within {timeout} s of a {shape.duration_s} s run and was "
                f"stopped; see {log}."
            ) from None
        except BaseException:  # e.g. Ctrl-C in the CLI: never leave a load generator running
            _stop(process)
            raise
    return LocustRun(returncode, log, report_dir / "locust.html")
