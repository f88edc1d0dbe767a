"""What every journey's user shares: think time and the run's seeded data."""

from __future__ import annotations

import functools

from locust import between
from locust.contrib.fasthttp import FastHttpUser

from refarch.loadtests.rundata import RunData

__all__ = ["ShopUser"]


@functools.cache
def _parse(document: str) -> RunData:
    return RunData.from_json(document)


class ShopUser(FastHttpUser):
    abstract = True

    # Short on purpose: a CI gate needs enough requests per operation in a 15 s smoke run for
    # percentiles (and regression verdicts, which need min_samples) to mean something, while
    # the offered load stays a function of the user count rather than of the server's speed.
    wait_time = between(0.05, 0.25)

    @property
    def run_data(self) -> RunData:
        """The seeded catalog, handed to every worker by the master as a Locust option."""
        options = self.environment.parsed_options
        document = getattr(options, "refarch_run_data", "") if options else ""
        if not document:
            raise RuntimeError("no --refarch-run-data: run this locustfile through `refarch load`")
        return _parse(document)
