"""Latency and throughput over time as SVG: one chart per operation and one for the whole run.

Each chart has two panels sharing the time axis: p50/p95/p99 latency with the p95 and p99
thresholds drawn as lines, and requests and failures per second with the throughput floor.
When a baseline with a history is given, its p95 and throughput curves are drawn dashed.

Drawn with matplotlib's object API (no pyplot, so no global figure state and no GUI backend)
and made byte-identical from run to run: ``svg.hashsalt`` fixes the ids matplotlib would
otherwise derive from random numbers, ``metadata={"Date": None}`` drops the timestamp, and
text stays text (``svg.fonttype = none``) rather than font-dependent glyph outlines. Every
drawn series carries an ``id`` (``series-p95``, ``threshold-p95``, ``baseline-rps``...) so
tests and readers can find it in the SVG.
"""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from refarch.loadtests.history import Series
from refarch.loadtests.thresholds import Limits

__all__ = ["SVG_SETTINGS", "render_chart"]

SVG_SETTINGS: dict[Any, Any] = {
    "svg.hashsalt": "refarch-load",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",  # bundled with matplotlib: the same on every machine
    "font.size": 9,
}

_LATENCY = (
    ("p50", "p50_ms", "#6baed6"),
    ("p95", "p95_ms", "#2171b5"),
    ("p99", "p99_ms", "#08306b"),
)
_THRESHOLD_COLOUR = "#d62728"
_BASELINE_COLOUR = "#7f7f7f"


def _has_data(values: list[float]) -> bool:
    return any(not math.isnan(v) for v in values)


def _peak(*series: list[float]) -> float:
    return max((v for values in series for v in values if not math.isnan(v)), default=0.0)


def _fit_limits(axes: Axes, peak: float, limits: list[float]) -> None:
    """Show a limit when it is near the data; a far-away one (a loose CI budget) would squash
    the curves into a flat line, so it stays in the legend with its value but off the scale."""
    near = [limit for limit in limits if limit <= max(peak, 1.0) * 3]
    axes.set_ylim(0, max([peak, *near, 1.0]) * 1.12)


def _legend(axes: Axes) -> None:
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)


def _latency_panel(axes: Axes, series: Series, limits: Limits, baseline: Series | None) -> None:
    for label, attribute, colour in _LATENCY:
        values = getattr(series, attribute)
        (line,) = axes.plot(series.t_s, values, color=colour, linewidth=1.4, label=label)
        line.set_gid(f"series-{label}")
    if baseline is not None and _has_data(baseline.p95_ms):
        (line,) = axes.plot(
            baseline.t_s,
            baseline.p95_ms,
            color=_BASELINE_COLOUR,
            linestyle="--",
            linewidth=1.2,
            label="baseline p95",
        )
        line.set_gid("baseline-p95")
    drawn: list[float] = []
    for label, limit, style in (("p95", limits.p95_ms, "--"), ("p99", limits.p99_ms, ":")):
        if limit is not None:
            threshold = axes.axhline(
                limit,
                color=_THRESHOLD_COLOUR,
                linestyle=style,
                linewidth=1.1,
                label=f"{label} limit ({limit:g} ms)",
            )
            threshold.set_gid(f"threshold-{label}")
            drawn.append(limit)
    peak = _peak(series.p50_ms, series.p95_ms, series.p99_ms, baseline.p95_ms if baseline else [])
    _fit_limits(axes, peak, drawn)
    axes.set_ylabel("latency (ms)")
    axes.grid(True, linewidth=0.4, alpha=0.5)
    _legend(axes)


def _throughput_panel(axes: Axes, series: Series, limits: Limits, baseline: Series | None) -> None:
    (line,) = axes.plot(series.t_s, series.rps, color="#238b45", linewidth=1.4, label="requests/s")
    line.set_gid("series-rps")
    (line,) = axes.plot(
        series.t_s, series.failures_per_s, color="#ff7f0e", linewidth=1.2, label="failures/s"
    )
    line.set_gid("series-failures")
    if baseline is not None and baseline.rps:
        (line,) = axes.plot(
            baseline.t_s,
            baseline.rps,
            color=_BASELINE_COLOUR,
            linestyle="--",
            linewidth=1.2,
            label="baseline requests/s",
        )
        line.set_gid("baseline-rps")
    if limits.min_rps is not None:
        floor = axes.axhline(
            limits.min_rps,
            color=_THRESHOLD_COLOUR,
            linestyle="--",
            linewidth=1.1,
            label=f"floor ({limits.min_rps:g} req/s)",
        )
        floor.set_gid("threshold-min-rps")
    peak = _peak(series.rps, series.failures_per_s, baseline.rps if baseline else [])
    _fit_limits(axes, peak, [] if limits.min_rps is None else [limits.min_rps])
    axes.set_ylabel("per second")
    axes.set_xlabel("seconds since the run started")
    axes.grid(True, linewidth=0.4, alpha=0.5)
    _legend(axes)


def render_chart(title: str, series: Series, limits: Limits, baseline: Series | None = None) -> str:
    """The SVG text of one chart; the same inputs always give the same bytes."""
    with matplotlib.rc_context(SVG_SETTINGS):
        figure = Figure(figsize=(8.5, 4.6))
        # fixed margins, room on the right for the legends: matplotlib's automatic
        # (constrained) layout took 40 % of the time to draw a chart
        figure.subplots_adjust(left=0.08, right=0.79, top=0.93, bottom=0.1, hspace=0.1)
        latency, throughput = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        _latency_panel(latency, series, limits, baseline)
        _throughput_panel(throughput, series, limits, baseline)
        figure.suptitle(title, fontsize=10)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
