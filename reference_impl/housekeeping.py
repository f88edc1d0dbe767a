"""Housekeeping: a background task that removes rows nobody can use any more.

Expired refresh tokens and idempotency keys past their retention are inert (every query
already ignores them) but would grow their tables forever. Each service prunes its own
schema through its own method; this loop only decides when. It runs in every worker
process; the deletes are idempotent, so several workers doing it is harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["run_housekeeping"]

log = logging.getLogger("refarch.reference_impl.housekeeping")

Pruner = Callable[[], Awaitable[int]]


async def prune_once(pruners: dict[str, Pruner]) -> dict[str, int]:
    """Run every pruner once; one failing (database down) does not stop the others."""
    removed: dict[str, int] = {}
    for name, prune in pruners.items():
        try:
            removed[name] = await prune()
        except Exception:
            log.warning("housekeeping step %s failed; retrying next round", name, exc_info=True)
    return removed


async def run_housekeeping(pruners: dict[str, Pruner], *, interval_seconds: float) -> None:
    """Prune, then sleep ``interval_seconds``, until cancelled."""
    while True:
        removed = await prune_once(pruners)
        if any(removed.values()):
            log.info("housekeeping removed %s", removed)
        await asyncio.sleep(interval_seconds)
