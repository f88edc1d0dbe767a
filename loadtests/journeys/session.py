"""The run's seeded data, read once per Locust process."""

from __future__ import annotations

import functools

from loadtests.rundata import RunData

__all__ = ["run_data"]


@functools.cache
def run_data() -> RunData:
    return RunData.from_environment()
