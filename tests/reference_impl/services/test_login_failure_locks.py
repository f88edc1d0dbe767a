"""Counting and giving back login attempts never deadlocks, whatever plan PostgreSQL picks.

Every login takes row locks on two counters (its account's and its address's). A CI run
answered six of twenty simultaneous wrong guesses with 500: PostgreSQL had aborted their
statements as deadlocked. Counting locked the account row and then the address row, while
giving a refused attempt back visited the same rows in the order of the plan it ran (a bitmap
heap scan visits them in their physical order), so two statements waited for each other.
Here the physical order is the troublesome one and index scans are off: the case CI met.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest

from refarch.reference_impl.users.repository import LoginFailures

pytestmark = pytest.mark.anyio

ACCOUNT, ADDRESS = "account:guessed@example.test", "ip:192.0.2.7"
CONCURRENT_ATTEMPTS = 16
ROUNDS = 25


async def _count_and_give_back(failures: LoginFailures, window: datetime) -> None:
    await failures.reserve([ACCOUNT, ADDRESS], window)
    await failures.release([ACCOUNT, ADDRESS], window)


async def test_simultaneous_counting_and_giving_back_never_deadlock(database_url: str) -> None:
    window = datetime(2026, 1, 1, tzinfo=UTC)
    # plans that visit rows in physical order, as the planner may choose on its own
    pool = await asyncpg.create_pool(
        database_url,
        min_size=CONCURRENT_ATTEMPTS,
        max_size=CONCURRENT_ATTEMPTS,
        server_settings={"enable_indexscan": "off", "enable_indexonlyscan": "off"},
    )
    try:
        failures = LoginFailures(pool)
        # the address row sits physically before the account row, as when one client tries a
        # fresh account; both stay above one so every give-back decrements (and locks) them
        await failures.reserve([ADDRESS], window)
        await failures.reserve([ACCOUNT], window)
        await failures.reserve([ACCOUNT, ADDRESS], window)

        for _ in range(ROUNDS):
            await asyncio.gather(
                *(_count_and_give_back(failures, window) for _ in range(CONCURRENT_ATTEMPTS))
            )

        counts = {
            row["bucket"]: row["failures"]
            for row in await pool.fetch("SELECT bucket, failures FROM users.login_failures")
        }
    finally:
        await pool.close()
    # every attempt counted was given back: the counters are where they started
    assert counts == {ACCOUNT: 2, ADDRESS: 2}
