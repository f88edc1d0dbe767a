"""The users domain: accounts, token pairs, refresh-token secrets and the throttling window.

Standard library only.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from refarch.reference_impl.errors import Conflict, NotFound, Unauthenticated

__all__ = [
    "ROLES",
    "STATUSES",
    "AccountGone",
    "CannotDeleteSelf",
    "CannotLockOutSelf",
    "EmailAlreadyRegistered",
    "InvalidCredentials",
    "InvalidRefreshToken",
    "LastActiveAdmin",
    "NewUser",
    "TokenPair",
    "User",
    "UserNotFound",
    "account_bucket",
    "hash_refresh_token",
    "ip_bucket",
    "new_refresh_token",
    "removes_admin_rights",
    "seconds_until_window_ends",
    "window_start",
]

ROLES = ("customer", "admin")
STATUSES = ("active", "suspended")


class EmailAlreadyRegistered(Conflict):
    def __init__(self) -> None:
        super().__init__("An account with this email address already exists.")


class InvalidCredentials(Unauthenticated):
    """One answer for an unknown email, a wrong password and a suspended account, so the
    response never tells an attacker which accounts exist."""

    def __init__(self) -> None:
        super().__init__("The email or password is incorrect.")


class InvalidRefreshToken(Unauthenticated):
    def __init__(self) -> None:
        super().__init__("The refresh token is invalid, expired or revoked.", invalid_token=True)


class AccountGone(Unauthenticated):
    """A still-unexpired access token whose account was deleted: the token no longer
    identifies anyone, so it is refused like any other invalid token (never a 404)."""

    def __init__(self) -> None:
        super().__init__(
            "The account this token was issued for no longer exists.", invalid_token=True
        )


class UserNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No user with this id.")


class CannotDeleteSelf(Conflict):
    def __init__(self) -> None:
        super().__init__("Administrators cannot delete their own account.")


class CannotLockOutSelf(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Administrators cannot suspend or demote their own account; ask another"
            " administrator to do it."
        )


class LastActiveAdmin(Conflict):
    """Refused so the platform always keeps someone who can administer it."""

    def __init__(self) -> None:
        super().__init__(
            "This is the last active administrator; promote another account to admin first."
        )


def removes_admin_rights(changes: dict[str, str]) -> bool:
    """Whether an admin update would leave its target without working admin rights."""
    return changes.get("role", "admin") != "admin" or changes.get("status", "active") != "active"


@dataclass(frozen=True, slots=True)
class NewUser:
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    role: str = "customer"


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    first_name: str
    last_name: str
    phone: str | None
    role: str
    status: str
    created_at: datetime
    updated_at: datetime

    @property
    def can_log_in(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


def new_refresh_token() -> tuple[str, bytes]:
    """A random 256-bit token for the client and the SHA-256 digest we keep.

    A fast hash is right here (unlike passwords): the input has 256 bits of entropy, so
    there is nothing to brute-force, and lookups by digest stay a single index probe.
    """
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def account_bucket(email: str) -> str:
    return f"account:{email.lower()}"


def ip_bucket(client_ip: str) -> str:
    return f"ip:{client_ip}"


def window_start(now: float, window_seconds: int) -> float:
    """Start (epoch seconds) of the fixed throttling window that contains ``now``.

    Fixed windows cost one row per bucket and window, and every worker process computes
    the same boundaries; the price is that a burst straddling a boundary may reach twice
    the limit, which argon2's cost per attempt keeps harmless.
    """
    return math.floor(now / window_seconds) * window_seconds


def seconds_until_window_ends(now: float, window_seconds: int) -> int:
    """Whole seconds (at least 1) until the window containing ``now`` frees up."""
    end = window_start(now, window_seconds) + window_seconds
    return max(1, math.ceil(end - now))
