"""Live progress of a conformance run, layer by layer, as a small pytest plugin of its own.

For each layer (scenarios, security, properties, stateful) it counts tests done out of those
selected, and failures so far, and shows the elapsed time and the test running now. On a
terminal the display is redrawn in place with ``rich`` and replaces pytest's dots; in a log
(not a terminal, or ``CI=true``) it prints a plain line when a layer finishes and at most
every 30 s otherwise. ``refarch conform -q`` leaves it out and keeps pytest's own output.

The display is refreshed from pytest's reporting hooks only, never from a background
thread: while a test runs pytest captures the output file descriptors, and anything written
then would land in the test's captured output instead of on the screen.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Generator
from typing import Any

import pytest
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

__all__ = ["LAYERS", "PYTEST_ARGS", "ConformanceProgress"]

#: the order a run executes them in (scenarios log users in before generated data is sent)
LAYERS = ("scenarios", "security", "properties", "stateful")
#: pytest options that go with the plugin: no per-test lines (given after the CLI's -v, -q
#: brings pytest back to its default verbosity, which keeps its header) and no "[ 12/200]"
#: counters of its own
PYTEST_ARGS = ("-q", "-o", "console_output_style=classic")
PLAIN_EVERY_S = 30.0


def _layer(item: pytest.Item) -> str:
    marker = item.get_closest_marker("layer")
    return str(marker.args[0]) if marker else "scenarios"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


class ConformanceProgress:
    """Register with ``pytest.main(args + PYTEST_ARGS, plugins=[ConformanceProgress()])``."""

    def __init__(
        self,
        console: Console | None = None,
        *,
        plain_every_s: float = PLAIN_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # the real stdout, taken before pytest starts capturing
        self.console = console or Console(file=sys.stdout, highlight=False)
        self.redraw = self.console.is_terminal and not _in_ci()
        self.plain_every_s = plain_every_s
        self._clock = clock
        self._started = clock()
        self._last_plain = self._started
        self.total: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self._layer_of: dict[str, str] = {}
        self._finished: set[str] = set()
        self._failed_ids: set[str] = set()
        self._running = ""
        self._last_counts: object = None
        self._live: Live | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.showfspath = False  # no "test_auth.py " line each time a file starts

    # -- what the counts are built from --------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Totals per layer, after the conformance plugin has selected and ordered the tests."""
        for item in session.items:
            self._layer_of[item.nodeid] = _layer(item)
            self.total[_layer(item)] += 1
        self._started = self._last_plain = self._clock()
        if self.redraw:
            self._live = Live(
                self._renderable(),
                console=self.console,
                auto_refresh=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
        else:
            layers = ", ".join(f"{layer} {self.total[layer]}" for layer in self._layers())
            self.console.print(f"conformance: {sum(self.total.values())} tests ({layers})")

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self._running = nodeid
        self._refresh()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        layer = self._layer_of.get(report.nodeid)
        if layer is None:
            return
        if report.failed and report.nodeid not in self._failed_ids:
            self._failed_ids.add(report.nodeid)
            self.failed[layer] += 1
        # a test is done after its call, or when its set-up failed or skipped it
        ends_here = report.when == "call" or (report.when == "setup" and not report.passed)
        if ends_here and report.nodeid not in self._finished:
            self._finished.add(report.nodeid)
            self.done[layer] += 1
            if self.done[layer] == self.total[layer] and not self.redraw:
                self._print_plain()
        self._refresh()

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport
    ) -> Generator[None, tuple[str, str, Any], tuple[str, str, Any]]:
        """No dots: the letter goes; the category (counted in pytest's summary) and the word
        (FAILED, ERROR... in its short summary) stay."""
        category, _letter, word = yield
        return category, "", word

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            self._running = ""
            if self._live is not None:
                self._live.update(self._renderable(), refresh=True)
                self._live.stop()  # the final counts stay above pytest's summary
            elif self._finished:
                self._print_plain(only_if_changed=True)

    # -- rendering ----------------------------------------------------------------------

    def _layers(self) -> list[str]:
        known = [layer for layer in LAYERS if self.total[layer]]
        return known + sorted(layer for layer in self.total if layer not in LAYERS)

    def _elapsed(self) -> float:
        return self._clock() - self._started

    def summary_line(self) -> str:
        """Every layer's counts in one line, for logs: ``0:42  scenarios 60/60 (1 failed) ...``."""
        parts = []
        for layer in self._layers():
            failed = f" ({self.failed[layer]} failed)" if self.failed[layer] else ""
            parts.append(f"{layer} {self.done[layer]}/{self.total[layer]}{failed}")
        return f"{_clock(self._elapsed())}  " + "  ".join(parts)

    def _renderable(self) -> Group:
        table = Table(box=None, padding=(0, 2), show_edge=False)
        for heading, justify in (("layer", "left"), ("done", "right"), ("failed", "right")):
            table.add_column(heading, justify=justify)  # type: ignore[arg-type]
        for layer in self._layers():
            done = f"{self.done[layer]}/{self.total[layer]}"
            failed = self.failed[layer]
            table.add_row(
                layer,
                Text(done, style="green" if self.done[layer] == self.total[layer] else ""),
                Text(str(failed), style="bold red" if failed else "dim"),
            )
        running = Text(f"running {self._running}", style="dim") if self._running else Text("")
        return Group(Text(f"conformance  {_clock(self._elapsed())}", style="bold"), table, running)

    def _print_plain(self, *, only_if_changed: bool = False) -> None:
        """A line with the counts; at the end only if they changed since the last one (the
        last layer's end and the run's end coincide)."""
        self._last_plain = self._clock()
        counts = (sorted(self.done.items()), sorted(self.failed.items()))
        if not only_if_changed or counts != self._last_counts:
            self.console.print(self.summary_line(), soft_wrap=True)
            self._last_counts = counts

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self._renderable(), refresh=True)
        elif self._layer_of and self._clock() - self._last_plain >= self.plain_every_s:
            self._print_plain()
