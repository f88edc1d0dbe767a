"""A run over time: Locust's stats history (``--csv-full-history``) read back as plain series.

Locust appends one row per operation and one ``Aggregated`` row about every second to
``locust_stats_history.csv``. With full history on, each row's percentiles are those of the
last ~10 seconds (Locust's current-response-time window), not of the whole run so far, so a
latency spike shows up where it happened instead of being averaged away. Percentiles are
Locust's rounded ones (1 ms below 100 ms, 10 ms below 1 s). Kept free of Locust imports: the
CLI reads the file after Locust has exited.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["HISTORY_CSV", "OVERALL", "Series", "read_history"]

#: What ``--csv <report_dir>/locust --csv-full-history`` makes Locust write.
HISTORY_CSV = "locust_stats_history.csv"
#: The name the verdict gives the run as a whole (Locust calls it "Aggregated").
OVERALL = "overall"


@dataclass
class Series:
    """One operation's (or the whole run's) figures, one point per history row."""

    name: str
    t_s: list[float] = field(default_factory=list)  # seconds since the first row of the run
    users: list[int] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)  # NaN where no request finished
    p95_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    rps: list[float] = field(default_factory=list)
    failures_per_s: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.t_s)

    def to_json(self) -> dict[str, Any]:
        """The parts a baseline keeps to draw its curve (NaN becomes null)."""
        return {
            "t_s": self.t_s,
            "p95_ms": [None if math.isnan(v) else v for v in self.p95_ms],
            "rps": self.rps,
        }

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> Series:
        t_s = [float(v) for v in data["t_s"]]
        p95 = [math.nan if v is None else float(v) for v in data["p95_ms"]]
        rps = [float(v) for v in data["rps"]]
        if not len(t_s) == len(p95) == len(rps):
            raise ValueError(f"history of {name!r} has series of different lengths")
        return cls(name, t_s=t_s, p95_ms=p95, rps=rps)


def _number(text: str) -> float:
    # Locust writes "N/A" for a percentile of a window in which no request finished
    try:
        return float(text)
    except ValueError:
        return math.nan


def read_history(path: Path) -> dict[str, Series]:
    """Series by operation name, plus ``overall``; empty when the file is missing or empty."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        return {}
    series: dict[str, Series] = {}
    start: float | None = None
    for row in rows:
        try:
            timestamp = float(row["Timestamp"])
            raw_name = row["Name"]
        except (KeyError, TypeError, ValueError):
            continue  # a row cut short by an interrupted run
        if raw_name is None:
            continue
        start = timestamp if start is None else start
        name = OVERALL if raw_name == "Aggregated" else raw_name
        entry = series.setdefault(name, Series(name))
        entry.t_s.append(timestamp - start)
        users = _number(row.get("User Count") or "0")
        entry.users.append(0 if math.isnan(users) else int(users))
        # Before its first response, and until Locust's sliding window has filled, an entry
        # reports every percentile as 0 (even its maximum): no figure yet, not a 0 ms latency
        answered = _number(row.get("100%") or "0") > 0
        for values, column in (
            (entry.p50_ms, "50%"),
            (entry.p95_ms, "95%"),
            (entry.p99_ms, "99%"),
        ):
            values.append(_number(row.get(column) or "") if answered else math.nan)
        entry.rps.append(_number(row.get("Requests/s") or "0"))
        entry.failures_per_s.append(_number(row.get("Failures/s") or "0"))
    return series
