"""Requests released together, for the checks of races a client can provoke.

A read-then-write implementation passes every sequential test and goes wrong only when
requests overlap at the server. :func:`all_at_once` opens one connection per request first
(a cheap public read on each), so no request queues behind connection set-up, then holds
every request at a barrier and releases them together. Checks count the outcomes instead of
timing anything: the counts are exact for a correct implementation however the requests
interleave, so they cannot flake on a slow machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from refarch.conformance.evidence import AsyncApiClient
from refarch.conformance.options import current_run

__all__ = ["Call", "all_at_once"]


@dataclass(frozen=True)
class Call:
    """One request of a race: method, path under the API base, JSON body, headers."""

    method: str
    path: str
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


def all_at_once(calls: Sequence[Call]) -> list[httpx.Response]:
    """Send ``calls`` on a connection each, released together; the answers in their order."""
    return asyncio.run(_released_together(calls))


async def _released_together(calls: Sequence[Call]) -> list[httpx.Response]:
    count = len(calls)
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with AsyncApiClient(
        base_url=current_run().api_url, timeout=60.0, limits=limits
    ) as client:
        await asyncio.gather(*(client.get("/health") for _ in range(count)))
        start = asyncio.Event()

        async def one(call: Call) -> httpx.Response:
            await start.wait()
            return await client.request(
                call.method, call.path, json=call.json, headers=dict(call.headers)
            )

        tasks = [asyncio.create_task(one(call)) for call in calls]
        await asyncio.sleep(0)  # every task is now waiting at the barrier
        start.set()
        return list(await asyncio.gather(*tasks))
