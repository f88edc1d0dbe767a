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

from refarch.reference_impl.errors import RateLimited
from refarch.reference_impl.users.domain import seconds_until_window_ends, window_start
from refarch.reference_impl.users.repository import LoginFailures

__all__ = ["LoginThrottle"]


@dataclass(frozen=True)
class LoginThrottle:
    window_seconds: int
    account_limit: int
    ip_limit: int

    def _window(self, now: float) -> datetime:
        return datetime.fromtimestamp(window_start(now, self.window_seconds), UTC)

    async def ensure_allowed(self, failures: LoginFailures, account: str, ip: str) -> None:
        """Raise RateLimited if either bucket used up its failures in the current window."""
        now = time.time()
        counts = await failures.in_window([account, ip], self._window(now))
        limits = {account: self.account_limit, ip: self.ip_limit}
        if any(count >= limits[bucket] for bucket, count in counts.items()):
            raise RateLimited(
                "Too many failed login attempts; try again later.",
                retry_after=seconds_until_window_ends(now, self.window_seconds),
            )

    async def record_failure(self, failures: LoginFailures, account: str, ip: str) -> None:
        await failures.record([account, ip], self._window(time.time()))

    async def reset_account(self, failures: LoginFailures, account: str) -> None:
        await failures.reset(account)
