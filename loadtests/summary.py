"""What a finished Locust run measured, as plain data the gate can judge.

The locustfile's master writes this file from Locust's own statistics (percentiles exactly as
Locust computes and rounds them); the CLI reads it back in a process that never imports Locust.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from refarch.loadtests.errors import CannotRun

__all__ = ["FORMAT", "OperationStats", "RunSummary", "read_summary"]

FORMAT = "refarch-load-summary/1"


@dataclass(frozen=True)
class OperationStats:
    name: str  # the operationId (or "Aggregated" for the run as a whole)
    samples: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float
    errors: dict[str, int] = field(default_factory=dict)  # failure message -> occurrences

    @property
    def error_ratio(self) -> float:
        return self.failures / self.samples if self.samples else 0.0


@dataclass(frozen=True)
class RunSummary:
    operations: list[OperationStats]
    total: OperationStats
    duration_s: float
    exceptions: dict[str, int] = field(default_factory=dict)  # raised in journeys: message -> count

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSummary:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        return cls(
            operations=[OperationStats(**op) for op in data["operations"]],
            total=OperationStats(**data["total"]),
            duration_s=float(data["duration_s"]),
            exceptions={str(k): int(v) for k, v in data.get("exceptions", {}).items()},
        )


def read_summary(path: Path) -> RunSummary:
    try:
        return RunSummary.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise CannotRun(
            f"Locust finished without writing its statistics ({path}); see locust.log in the "
            "report directory for why it failed."
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CannotRun(f"the statistics Locust wrote to {path} are unreadable: {exc}.") from None
