"""What ``refarch load`` shows while Locust runs: one status, refreshed from Locust's figures.

The locustfile's master rewrites ``status.json`` every two seconds (users, the last seconds'
throughput and p95, the totals so far). On a terminal the status is redrawn in place with
``rich``; in a CI log (not a terminal, or ``CI=true``) it is a plain line every
``plain_every_s`` seconds (30 by default), so a half-hour soak adds sixty lines, not thousands.
"At risk" lists the thresholds the figures so far already break: the final verdict may still
differ, since the run is not over.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from refarch.loadtests.profiles import RunShape
from refarch.loadtests.summary import RunSummary
from refarch.loadtests.thresholds import Thresholds
from refarch.loadtests.verdict import OVERALL, breaches

__all__ = ["DEFAULT_PLAIN_EVERY_S", "LiveStatus", "RunStatus", "read_status"]

DEFAULT_PLAIN_EVERY_S = 30.0
_MAX_AT_RISK_SHOWN = 3


class RunStatus:
    """One snapshot of ``status.json``."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.users = int(document["users"])
        self.current_rps = float(document["current_rps"])
        current_p95 = document.get("current_p95_ms")
        self.current_p95_ms = None if current_p95 is None else float(current_p95)
        self.summary = RunSummary.from_json(document["summary"])


def read_status(path: Path) -> RunStatus | None:
    """None until Locust has written its first status (or while it is unreadable)."""
    try:
        return RunStatus(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _minutes(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def at_risk(status: RunStatus, thresholds: Thresholds) -> list[str]:
    """Threshold breaches of the figures so far, e.g. ``placeOrder p95 320 ms > 150 ms``."""
    found = [
        f"{stats.name} {breach}"
        for stats in sorted(status.summary.operations, key=lambda s: s.name)
        for breach in breaches(stats, thresholds.for_operation(stats.name))
    ]
    total = status.summary.total
    found += [f"{OVERALL} {breach}" for breach in breaches(total, thresholds.overall)]
    return found


def _figures(status: RunStatus) -> str:
    total = status.summary.total
    p95 = "-" if status.current_p95_ms is None else f"{status.current_p95_ms:g} ms"
    return (
        f"{status.users} users  {status.current_rps:.1f} req/s  "
        f"{total.failures} failures ({total.error_ratio:.2%}) of {total.samples}  p95 now {p95}"
    )


def _risk_text(risks: list[str]) -> str:
    if not risks:
        return "no threshold at risk"
    shown = ", ".join(risks[:_MAX_AT_RISK_SHOWN])
    hidden = len(risks) - _MAX_AT_RISK_SHOWN
    return f"at risk: {shown}" + (f" (+{hidden} more)" if hidden > 0 else "")


def _clock(elapsed_s: float, shape: RunShape) -> str:
    return f"{_minutes(elapsed_s)} / {_minutes(shape.duration_s)}"


def status_line(
    status: RunStatus | None, elapsed_s: float, shape: RunShape, risks: list[str]
) -> str:
    """The one-line form, for logs."""
    if status is None:
        return f"{_clock(elapsed_s, shape)}  starting {shape.users} users..."
    return f"{_clock(elapsed_s, shape)}  {_figures(status)}  {_risk_text(risks)}"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


class LiveStatus:
    """``with LiveStatus(...) as live: run_locust(..., on_tick=live.tick)``."""

    def __init__(
        self,
        shape: RunShape,
        thresholds: Thresholds,
        *,
        console: Console | None = None,
        plain_every_s: float = DEFAULT_PLAIN_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shape = shape
        self.thresholds = thresholds
        self.console = console or Console(highlight=False)
        self.plain_every_s = plain_every_s
        self.redraw = self.console.is_terminal and not _in_ci()
        self._clock = clock
        self._started = 0.0
        self._next_plain_at = plain_every_s
        self._live: Live | None = None

    def __enter__(self) -> LiveStatus:
        self._started = self._clock()
        if self.redraw:
            # refreshed by tick() only: no background thread writing to the terminal
            self._live = Live(
                self._renderable(None, 0.0),
                console=self.console,
                auto_refresh=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()  # leaves the last status on screen above the verdict

    def _renderable(self, status: RunStatus | None, elapsed_s: float) -> Group:
        """The terminal form: a time bar, the figures, and what is at risk in red."""
        duration = self.shape.duration_s
        top = Table.grid(padding=(0, 1))
        top.add_row(
            ProgressBar(total=duration, completed=min(elapsed_s, duration), width=30),
            Text(_clock(elapsed_s, self.shape), style="bold"),
        )
        if status is None:
            return Group(top, Text(f"starting {self.shape.users} users..."))
        risks = at_risk(status, self.thresholds)
        return Group(
            top,
            Text(_figures(status)),
            Text(_risk_text(risks), style="bold red" if risks else "green"),
        )

    def tick(self, status_path: Path) -> None:
        elapsed = self._clock() - self._started
        if self._live is not None:
            self._live.update(self._renderable(read_status(status_path), elapsed), refresh=True)
        elif elapsed >= self._next_plain_at:
            status = read_status(status_path)
            risks = at_risk(status, self.thresholds) if status else []
            self.console.print(status_line(status, elapsed, self.shape, risks), soft_wrap=True)
            while self._next_plain_at <= elapsed:
                self._next_plain_at += self.plain_every_s
