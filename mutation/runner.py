"""Run one mutant: fresh database, mutated server, the quick conformance suite, an outcome."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mutation.mutants import Mutant
from mutation.target import (
    Server,
    ServerStartError,
    end_group,
    running_server,
    spawn,
)
from mutation.workspace import Workspace

__all__ = [
    "KILLED_OUTCOMES",
    "SPEC_VERSIONS",
    "Databases",
    "Outcome",
    "run_mutant",
    "run_suite",
]

#: one seed for every mutant: the same generated data each time, so an outcome replays
SEED = 7
#: The major API versions a mutant is judged through, in order: a mutant survives only if
#: every version's quick suite passes, so code only /api/v2 reaches (cursor pages, the
#: shipping object) is tested too. A mutant killed by v1 never pays for the v2 run.
SPEC_VERSIONS = ("v1", "v2")

#: Two quick-suite tests left out; neither exercises a mutated module. One waits out the
#: server's fixed 10 s header deadline (API-023), a third of a survivor's cost. The other
#: sends a 2 MiB body that the server refuses with 413 before reading it, on a connection
#: it keeps open: the unread rest of the body then arrives as the next request's head and
#: that request gets 431 (1 in 20 tries on a quiet machine, 3 in 7 runs under load), so
#: whichever test came next "killed" a mutant that had nothing to do with it.
DESELECT = (
    "not test_a_request_line_that_never_finishes_is_cut_off"
    " and not test_oversized_bodies_answer_413"
)

#: ``killed``: the suite failed; ``start``: the mutated server never became ready;
#: ``cannot-run``: ``refarch conform`` stopped before testing (exit 2, e.g. the admin login
#: failed); ``timeout``: the suite did not finish in time; ``survived``: the suite passed.
KILLED_OUTCOMES = ("killed", "start", "cannot-run", "timeout")


@dataclass
class Outcome:
    status: str  # one of KILLED_OUTCOMES, "survived" or "error"
    seconds: float
    failed_requirements: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def killed(self) -> bool:
        return self.status in KILLED_OUTCOMES


def run_suite(
    server: Server,
    report_dir: Path,
    timeout: float,
    suite_from: Path | None = None,
    spec_versions: Sequence[str] = SPEC_VERSIONS,
) -> Outcome:
    """Each version's quick suite against ``server`` in turn, until one notices the mutant.

    The suite is given the server's broker, so the event checks (EVT-…) judge it too.

    The first version that fails decides the outcome, and its failed requirements are
    reported as ``v2:ORD-020`` for any version but the first. ``timeout`` bounds all of them.
    """
    started = time.monotonic()
    for position, version in enumerate(spec_versions):
        left = timeout - (time.monotonic() - started)
        outcome = _run_one_suite(server, report_dir / version, left, suite_from, version)
        if position:
            outcome.failed_requirements = [f"{version}:{r}" for r in outcome.failed_requirements]
        if outcome.status != "survived":
            break
    outcome.seconds = time.monotonic() - started
    return outcome


def _run_one_suite(
    server: Server, report_dir: Path, timeout: float, suite_from: Path | None, version: str
) -> Outcome:
    """``refarch conform --quick`` for one version, stopping at the first failing test.

    ``-x`` reaches the suite's pytest through ``PYTEST_ADDOPTS`` (the CLI has no such
    option): a killed mutant costs the time to its first failure, not a whole run.
    """
    started = time.monotonic()
    if timeout <= 0:
        return Outcome("timeout", 0.0, detail=f"no time left for the {version} suite")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTEST_ADDOPTS")
    }
    if suite_from is not None:
        # another tree's suite (e.g. a branch's, unpacked with `git archive`) checks the
        # same mutant: its ``refarch`` package comes first on the path
        env["PYTHONPATH"] = str(suite_from)
    env.update(
        PYTEST_ADDOPTS="-x",
        REFARCH_CONFORM_ADMIN_EMAIL=server.admin_email,
        REFARCH_CONFORM_ADMIN_PASSWORD=server.admin_password,
    )
    command = [
        sys.executable, "-c", "from refarch.cli import main; main()",
        "conform", "--base-url", server.base_url, "--broker-url", server.broker_url,
        "--spec-version", version, "--quick",
        "--seed", str(SEED), "-q", "--report-dir", str(report_dir), "-k", DESELECT,
    ]  # fmt: skip
    report_dir.mkdir(parents=True, exist_ok=True)
    process = spawn(
        command, env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=report_dir
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        end_group(process)
        return Outcome("timeout", time.monotonic() - started, detail=f"over {timeout:.0f} s")
    except BaseException:
        end_group(process)
        raise
    end_group(process)
    seconds = time.monotonic() - started
    if process.returncode == 0:
        return Outcome("survived", seconds)
    if process.returncode == 1:
        return Outcome("killed", seconds, _failed_requirements(report_dir), output[-1500:])
    if process.returncode == 2:
        return Outcome("cannot-run", seconds, detail=f"{version}: {output[-800:]}")
    return Outcome(
        "error", seconds, detail=f"{version}: exit {process.returncode}: {output[-1500:]}"
    )


def _failed_requirements(report_dir: Path) -> list[str]:
    try:
        report = json.loads((report_dir / "conformance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(
        entry["id"] for entry in report.get("requirements", []) if entry.get("status") == "failed"
    )


class Databases(Protocol):
    """Where each mutant's fresh database comes from (``TestDatabase``, or a test's own)."""

    def fresh(self) -> str: ...

    def drop(self, url: str) -> None: ...


def run_mutant(
    mutant: Mutant | None,
    workspace: Workspace,
    database: Databases,
    work_dir: Path,
    timeout: float,
    suite_from: Path | None = None,
    spec_versions: Sequence[str] = SPEC_VERSIONS,
) -> Outcome:
    """The suite's verdict on one mutant (``None``: the unmutated code, the baseline)."""
    started = time.monotonic()
    database_url = database.fresh()
    try:
        with workspace.applied(mutant) if mutant else contextlib.nullcontext():
            return _serve_and_test(
                workspace, database_url, work_dir, timeout, suite_from, spec_versions
            )
    except ServerStartError as error:
        return Outcome("start", time.monotonic() - started, detail=str(error)[-800:])
    finally:
        database.drop(database_url)


def _serve_and_test(
    workspace: Workspace,
    database_url: str,
    work_dir: Path,
    timeout: float,
    suite_from: Path | None,
    spec_versions: Sequence[str],
) -> Outcome:
    started = time.monotonic()
    with running_server(workspace.root, database_url, work_dir / "server") as server:
        outcome = run_suite(server, work_dir / "report", timeout, suite_from, spec_versions)
    outcome.seconds = time.monotonic() - started
    return outcome
