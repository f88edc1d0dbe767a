"""Login throttling shared by every worker process: failure counters in users.login_failures.

Two buckets per attempt: the account (``account:<lower(email)>``), which stops password
guessing against one user, and the client address (``ip:<address>``), which stops one
client spraying many accounts. The check runs before the password is verified, so a
throttled caller never gets to spend our CPU on argon2 or learn whether a guess was right.

Check and count are separate statements, so a burst of simultaneous attempts may overshoot
the limit by the number in flight; each of those still pays a full argon2 verification, and
every later attempt is refused until the window ends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from reference_impl.errors import RateLimited
from reference_impl.unit_of_work import Executor
from reference_impl.users.domain import seconds_until_window_ends, window_start

__all__ = ["LoginThrottle"]


@dataclass(frozen=True)
class LoginThrottle:
    window_seconds: int
    account_limit: int
    ip_limit: int

    def _window(self, now: float) -> datetime:
        return datetime.fromtimestamp(window_start(now, self.window_seconds), UTC)

    async def ensure_allowed(self, db: Executor, account: str, ip: str) -> None:
        """Raise RateLimited if either bucket used up its failures in the current window."""
        now = time.time()
        rows = await db.fetch(
            "SELECT bucket, failures FROM users.login_failures"
            " WHERE bucket = ANY($1::text[]) AND window_start = $2",
            [account, ip],
            self._window(now),
        )
        limits = {account: self.account_limit, ip: self.ip_limit}
        if any(row["failures"] >= limits[row["bucket"]] for row in rows):
            raise RateLimited(
                "Too many failed login attempts; try again later.",
                retry_after=seconds_until_window_ends(now, self.window_seconds),
            )

    async def record_failure(self, db: Executor, account: str, ip: str) -> None:
        now = time.time()
        current = self._window(now)
        await db.execute(
            "INSERT INTO users.login_failures AS f (bucket, window_start, failures)"
            " SELECT bucket, $2, 1 FROM unnest($1::text[]) AS bucket"
            " ON CONFLICT (bucket, window_start) DO UPDATE SET failures = f.failures + 1",
            [account, ip],
            current,
        )
        # Old windows never count again; pruning on the (rare) failure path keeps the
        # table small without a scheduler.
        await db.execute("DELETE FROM users.login_failures WHERE window_start < $1", current)

    async def reset_account(self, db: Executor, account: str) -> None:
        await db.execute("DELETE FROM users.login_failures WHERE bucket = $1", account)
