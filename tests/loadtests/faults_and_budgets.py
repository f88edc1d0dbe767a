"""Shared constants for the end-to-end gate tests."""

from __future__ import annotations

from pathlib import Path

__all__ = ["INJECTED_DELAY_MS", "SHARED_RUNNER_BUDGET"]

SHARED_RUNNER_BUDGET = Path(__file__).with_name("shared_runner_thresholds.toml")
#: Added to selected operations: beyond the shared-runner p95 budget (1500 ms) and the
#: regression margin (+1000 ms) by itself, whatever the server's own latency.
INJECTED_DELAY_MS = 2000
