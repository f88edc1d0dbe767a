"""The live status line: what it says, which thresholds it calls at risk, how it is printed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from refarch.loadtests.live import LiveStatus, RunStatus, at_risk, read_status, status_line
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.summary import OperationStats, RunSummary
from refarch.loadtests.thresholds import Limits, RegressionMargins, Thresholds

SHAPE = RunShape("soak", 50, 5, 1800)
THRESHOLDS = Thresholds(
    overall=Limits(max_error_ratio=0.01),
    operations={"placeOrder": Limits(p95_ms=150), "getProduct": Limits(p95_ms=50)},
    regression=RegressionMargins(),
    source="test",
)


def status(*, order_p95: float, failures: int = 0) -> RunStatus:
    return RunStatus(status_document(order_p95=order_p95, failures=failures))


def status_document(*, order_p95: float, failures: int = 0) -> dict[str, Any]:
    """What the locustfile's master writes to status.json."""
    order = OperationStats("placeOrder", 100, failures, 40, order_p95, order_p95, 2.0)
    product = OperationStats("getProduct", 300, 0, 5, 20, 30, 6.0)
    total = OperationStats("Aggregated", 400, failures, 10, 90, 200, 8.0)
    summary = RunSummary([order, product], total, 60.0)
    return {"users": 50, "current_rps": 7.94, "current_p95_ms": 95, "summary": summary.to_json()}


def test_a_healthy_run_shows_its_figures_and_no_risk() -> None:
    line = status_line(status(order_p95=80), 754, SHAPE, [])
    assert line == (
        "12:34 / 30:00  50 users  7.9 req/s  0 failures (0.00%) of 400  p95 now 95 ms  "
        "no threshold at risk"
    )


def test_thresholds_broken_so_far_are_named() -> None:
    current = status(order_p95=320, failures=8)
    risks = at_risk(current, THRESHOLDS)
    assert risks == [
        "placeOrder p95 320 ms > 150 ms",
        "overall errors 2.00% (8/400) > 1.00%",
    ]
    assert status_line(current, 60, SHAPE, risks).endswith(
        "at risk: placeOrder p95 320 ms > 150 ms, overall errors 2.00% (8/400) > 1.00%"
    )


def test_before_the_first_figures_it_says_it_is_starting() -> None:
    assert status_line(None, 1, SHAPE, []) == "0:01 / 30:00  starting 50 users..."


def test_a_missing_or_half_written_status_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    assert read_status(path) is None
    path.write_text('{"users": 3', encoding="utf-8")
    assert read_status(path) is None


def test_in_a_log_it_prints_plain_lines_only_every_interval(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    path.write_text(json.dumps(status_document(order_p95=320)), encoding="utf-8")
    output = io.StringIO()
    console = Console(file=output, force_terminal=False, width=200)
    clock = iter([100.0, 101.0, 110.0, 131.0, 135.0, 161.0])  # enter, then one per tick
    with LiveStatus(
        SHAPE, THRESHOLDS, console=console, plain_every_s=30, clock=lambda: next(clock)
    ) as live:
        for _ in range(5):
            live.tick(path)
    lines = output.getvalue().splitlines()
    # ticks at 1, 10, 31, 35 and 61 s: a line once 30 s and once 60 s have passed
    assert [line.split()[0] for line in lines] == ["0:31", "1:01"]
    assert "50 users  7.9 req/s" in lines[0] and "at risk: placeOrder p95 320 ms" in lines[0]
    assert "\x1b[" not in output.getvalue()  # no escape codes in a CI log
