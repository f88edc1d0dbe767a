"""The locustfile ``refarch load`` runs: the shop's journeys plus the master's statistics hand-over.

Started as ``python -m locust -f loadtests/locustfile.py`` by ``loadtests.runner`` (the master,
or the single local process); remote workers run the same file with ``--worker``.

Why the gate is not decided here: Locust's own ``--json-file`` is also written by every
``--processes`` worker (Locust 2.47 clears ``--csv``/``--html`` for forked workers but not
``--json-file``), so workers race the master for the file. Instead this listener, on the
master (or the single local runner) only, writes the aggregated statistics; the CLI judges
them in a plain process, where the verdict logic is pure and unit-tested.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.env import Environment
from locust.runners import WorkerRunner
from locust.stats import StatsEntry

from refarch.loadtests.journeys.admin_dashboard import AdminDashboard
from refarch.loadtests.journeys.browsing import AnonymousBrowser
from refarch.loadtests.journeys.ordering import SignedInBuyer
from refarch.loadtests.journeys.signup import NewCustomer
from refarch.loadtests.rundata import RUN_DATA_OPTION, STATUS_PATH_ENV, SUMMARY_PATH_ENV

__all__ = ["AdminDashboard", "AnonymousBrowser", "NewCustomer", "SignedInBuyer"]

#: How often the live status file is rewritten; the CLI's display polls it.
STATUS_INTERVAL_S = 2.0


@events.init_command_line_parser.add_listener
def add_run_data_option(parser: Any, **_kwargs: Any) -> None:
    # a custom option, because Locust forwards those from the master to every worker
    parser.add_argument(
        RUN_DATA_OPTION, default="", include_in_web_ui=False, help="set by refarch load"
    )


def _stats(entry: StatsEntry, name: str, errors: dict[str, int]) -> dict[str, Any]:
    return {
        "name": name,
        "samples": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.50),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "rps": entry.total_rps,
        "errors": errors,
    }


def _summary(environment: Environment) -> dict[str, Any]:
    """The run's statistics so far, in the ``refarch-load-summary/1`` shape the CLI reads."""
    assert environment.runner is not None
    stats = environment.runner.stats
    errors_by_name: dict[str, dict[str, int]] = {}
    for error in stats.errors.values():
        errors_by_name.setdefault(error.name, {})[str(error.error)] = error.occurrences
    total_errors: dict[str, int] = {}
    for by_message in errors_by_name.values():
        for message, count in by_message.items():
            total_errors[message] = total_errors.get(message, 0) + count
    return {
        "format": "refarch-load-summary/1",
        "operations": [
            _stats(entry, entry.name, errors_by_name.get(entry.name, {}))
            for entry in stats.entries.values()
            if entry.num_requests
        ],
        "total": _stats(stats.total, "Aggregated", total_errors),
        # a journey that raised sent less load than the profile asked for; the CLI refuses to
        # judge such a run rather than pass it on fewer requests
        "exceptions": {row["msg"]: row["count"] for row in environment.runner.exceptions.values()},
        "duration_s": max(
            0.0, (stats.total.last_request_timestamp or 0) - (stats.total.start_time or 0)
        ),
    }


def _write_atomically(target: Path, document: dict[str, Any]) -> None:
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.replace(partial, target)  # the CLI never sees a half-written file


def _aggregating(environment: Environment) -> bool:
    # workers report to the master and hold no aggregated statistics
    return environment.runner is not None and not isinstance(environment.runner, WorkerRunner)


@events.test_start.add_listener
def start_live_status(environment: Environment, **_kwargs: Any) -> None:
    path = os.environ.get(STATUS_PATH_ENV)
    if path and _aggregating(environment):
        gevent.spawn(_write_live_status, environment, Path(path))


def _write_live_status(environment: Environment, target: Path) -> None:
    """Every few seconds: users, the last seconds' throughput and p95, and the totals so far.

    Cumulative per-operation figures let the CLI say which thresholds are at risk; the
    "current" figures are Locust's sliding window, which shows a stall as it happens.
    """
    assert environment.runner is not None
    started = time.monotonic()
    while True:
        total = environment.runner.stats.total
        _write_atomically(
            target,
            {
                "format": "refarch-load-status/1",
                "elapsed_s": round(time.monotonic() - started, 1),
                "users": environment.runner.user_count,
                "current_rps": total.current_rps,
                "current_p95_ms": total.get_current_response_time_percentile(0.95),
                "summary": _summary(environment),
            },
        )
        gevent.sleep(STATUS_INTERVAL_S)


@events.quitting.add_listener
def hand_over_statistics(environment: Environment, **_kwargs: Any) -> None:
    if not _aggregating(environment):
        return
    _write_atomically(Path(os.environ[SUMMARY_PATH_ENV]), _summary(environment))
    # Locust would exit 1 on any failed request; the gate, not Locust, judges the run. A
    # non-zero exit now means Locust itself broke.
    environment.process_exit_code = 0
