"""Think time shared by every journey.

Short on purpose: a CI gate needs enough requests per operation in a 15 s smoke run for
percentiles (and regression verdicts, which need ``min_samples``) to mean something, while
keeping the offered load a function of the user count rather than of the server's speed.
"""

from __future__ import annotations

from locust import between

__all__ = ["THINK_TIME"]

THINK_TIME = between(0.05, 0.25)
