"""Login throttling shared by every worker process: attempt counters in users.login_failures.

Two buckets per attempt: the account (``account:<lower(email)>``), which stops password
guessing against one user, and the client address (``ip:<address>``), which stops one
client spraying many accounts.

An attempt is counted *before* the password is verified, by one atomic upsert that returns
the new count (``reserve``). A separate check-then-count let 60 simultaneous wrong guesses
all pass the check before any was counted; with the count taken first, of N concurrent
attempts exactly the limit's worth reach argon2, and a throttled caller never spends our
CPU or learns whether a guess was right. A refused attempt gives its count back (it was
never tried), a failed one keeps it, and a successful one clears the account's bucket and
gives the address's count back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from refarch.reference_impl.errors import RateLimited
from refarch.reference_impl.users.domain import seconds_until_window_ends, window_start
from refarch.reference_impl.users.repository import LoginFailures

__all__ = ["LoginAttempt", "LoginThrottle", "RegistrationThrottle"]


@dataclass(frozen=True)
class LoginAttempt:
    """One counted attempt; the service reports how it ended."""

    account: str
    ip: str
    window: datetime


@dataclass(frozen=True)
class LoginThrottle:
    window_seconds: int
    account_limit: int
    ip_limit: int

    def _window(self, now: float) -> datetime:
        return datetime.fromtimestamp(window_start(now, self.window_seconds), UTC)

    async def begin(self, failures: LoginFailures, account: str, ip: str) -> LoginAttempt:
        """Count the attempt; raise RateLimited (uncounted) if either bucket is used up."""
        now = time.time()
        attempt = LoginAttempt(account, ip, self._window(now))
        counts = await failures.reserve([account, ip], attempt.window)
        if counts[account] > self.account_limit or counts[ip] > self.ip_limit:
            await failures.release([account, ip], attempt.window)
            raise RateLimited(
                "Too many failed login attempts; try again later.",
                retry_after=seconds_until_window_ends(now, self.window_seconds),
            )
        return attempt

    async def failed(self, failures: LoginFailures, attempt: LoginAttempt) -> None:
        """The attempt stays counted; older windows go."""
        await failures.prune_before(attempt.window)

    async def succeeded(self, failures: LoginFailures, attempt: LoginAttempt) -> None:
        await failures.reset(attempt.account)
        await failures.release([attempt.ip], attempt.window)


@dataclass(frozen=True)
class RegistrationThrottle:
    """Registrations per client address, counted in the same table and fixed windows as
    login attempts (bucket ``register:<address>``), before the password is hashed: 150
    parallel registrations from one address all succeeded and slowed everyone else.

    Every registration that gets past the count stays counted, successful or not (a 409
    for a taken email is exactly what an enumeration would produce); a refused one gives
    its count back. ADR 0032 records why registration still answers 409 for a taken email.
    """

    window_seconds: int
    ip_limit: int

    async def begin(self, failures: LoginFailures, client_ip: str) -> None:
        now = time.time()
        window = datetime.fromtimestamp(window_start(now, self.window_seconds), UTC)
        bucket = f"register:{client_ip}"
        counts = await failures.reserve([bucket], window)
        if counts[bucket] > self.ip_limit:
            await failures.release([bucket], window)
            raise RateLimited(
                "Too many registrations from this address; try again later.",
                retry_after=seconds_until_window_ends(now, self.window_seconds),
            )
