"""Baselines: what an earlier run measured, and whether this run regressed against it.

Latency regressions and throughput drops are judged per operation. A difference must beat
both a relative and an absolute margin (``RegressionMargins``) to count, and an operation with
too few requests in either run gets no verdict at all: "insufficient samples" is reported as
such, never as a pass. Throughput is compared only between runs of the same shape (profile,
users, duration), because with fixed think times it mostly measures the offered load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from refarch.loadtests.errors import CannotRun
from refarch.loadtests.history import Series
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.summary import RunSummary
from refarch.loadtests.thresholds import RegressionMargins

__all__ = [
    "FORMAT",
    "Baseline",
    "BaselineOperation",
    "Comparison",
    "Trend",
    "compare",
    "load_baseline",
    "save_baseline",
]

FORMAT = "refarch-load-baseline/1"


@dataclass(frozen=True)
class BaselineOperation:
    samples: int
    p95_ms: float
    p99_ms: float
    rps: float


@dataclass(frozen=True)
class Baseline:
    shape: RunShape
    operations: dict[str, BaselineOperation]
    created_at: str
    source: str
    #: p95 and throughput over time by operation (and "overall"), drawn beside a new run's
    #: curves; empty for baselines written before the charts existed
    history: dict[str, Series] = field(default_factory=dict)


class Trend(Enum):
    UNCHANGED = "within margins"
    REGRESSED = "regressed"
    INSUFFICIENT_SAMPLES = "insufficient samples"
    NO_BASELINE = "not in baseline"


@dataclass(frozen=True)
class Comparison:
    trend: Trend
    baseline: BaselineOperation | None
    p95_delta_ms: float | None = None
    rps_delta: float | None = None
    reasons: tuple[str, ...] = ()


def save_baseline(
    path: Path,
    summary: RunSummary,
    shape: RunShape,
    *,
    source: str,
    history: dict[str, Series] | None = None,
) -> None:
    document = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": source,
        "shape": {
            "profile": shape.profile,
            "users": shape.users,
            "spawn_rate": shape.spawn_rate,
            "duration_s": shape.duration_s,
        },
        "operations": {
            op.name: {
                "samples": op.samples,
                "p95_ms": op.p95_ms,
                "p99_ms": op.p99_ms,
                "rps": op.rps,
            }
            for op in summary.operations
        },
        "history": {name: series.to_json() for name, series in (history or {}).items()},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CannotRun(f"cannot write the baseline to {path}: {exc.strerror}.") from None


def load_baseline(path: Path) -> Baseline:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CannotRun(
            f"baseline file {path} does not exist; create one with --save-baseline on a known-good run."
        ) from None
    except (OSError, ValueError) as exc:
        raise CannotRun(f"baseline file {path} is not readable JSON: {exc}.") from None
    try:
        if document["format"] != FORMAT:
            raise ValueError(f"format is {document['format']!r}, expected {FORMAT!r}")
        shape = RunShape(**document["shape"])
        operations = {
            name: BaselineOperation(
                samples=int(op["samples"]),
                p95_ms=float(op["p95_ms"]),
                p99_ms=float(op["p99_ms"]),
                rps=float(op["rps"]),
            )
            for name, op in document["operations"].items()
        }
        history = {
            str(name): Series.from_json(str(name), data)
            for name, data in document.get("history", {}).items()
        }
        return Baseline(
            shape, operations, str(document["created_at"]), str(document["source"]), history
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CannotRun(
            f"baseline file {path} is not a refarch load baseline ({exc!s}); "
            "write it with `refarch load --save-baseline`."
        ) from None


def compare(
    *,
    samples: int,
    p95_ms: float,
    rps: float,
    baseline: BaselineOperation | None,
    margins: RegressionMargins,
    same_shape: bool,
) -> Comparison:
    if baseline is None:
        return Comparison(Trend.NO_BASELINE, None)
    p95_delta = p95_ms - baseline.p95_ms
    rps_delta = rps - baseline.rps
    if min(samples, baseline.samples) < margins.min_samples:
        return Comparison(
            Trend.INSUFFICIENT_SAMPLES,
            baseline,
            p95_delta,
            rps_delta,
            (
                f"{min(samples, baseline.samples)} requests < {margins.min_samples} needed for a verdict",
            ),
        )
    reasons: list[str] = []
    if p95_delta > margins.p95_absolute_ms and p95_ms > baseline.p95_ms * (
        1 + margins.p95_relative
    ):
        reasons.append(
            f"p95 rose {baseline.p95_ms:g} -> {p95_ms:g} ms "
            f"(+{p95_delta:g} ms, more than +{margins.p95_relative:.0%} and +{margins.p95_absolute_ms:g} ms)"
        )
    if (
        same_shape
        and -rps_delta > margins.rps_absolute
        and rps < baseline.rps * (1 - margins.rps_relative)
    ):
        reasons.append(
            f"throughput fell {baseline.rps:.1f} -> {rps:.1f} req/s "
            f"(more than -{margins.rps_relative:.0%} and -{margins.rps_absolute:g} req/s)"
        )
    trend = Trend.REGRESSED if reasons else Trend.UNCHANGED
    return Comparison(trend, baseline, p95_delta, rps_delta, tuple(reasons))
