"""Throttling windows, refresh-token secrets and password hashing rules, without a database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from refarch.reference_impl.settings import Settings
from refarch.reference_impl.users.domain import (
    account_bucket,
    hash_refresh_token,
    ip_bucket,
    new_refresh_token,
    seconds_until_window_ends,
    window_start,
)
from refarch.reference_impl.users.passwords import PasswordHashing


def test_auth_windows_are_fixed_and_shared_by_every_process() -> None:
    assert window_start(1000.0, 900) == 900
    assert window_start(1799.9, 900) == 900
    assert window_start(1800.0, 900) == 1800


def test_auth_retry_after_counts_to_the_end_of_the_window_and_is_at_least_one() -> None:
    assert seconds_until_window_ends(1000.0, 900) == 800
    assert seconds_until_window_ends(1799.5, 900) == 1
    assert seconds_until_window_ends(1800.0, 900) == 900


def test_auth_buckets_ignore_email_case() -> None:
    assert account_bucket("Ada@Example.TEST") == account_bucket("ada@example.test")
    assert ip_bucket("192.0.2.1") == "ip:192.0.2.1"


def test_auth_refresh_tokens_are_random_and_stored_as_their_sha256() -> None:
    token, digest = new_refresh_token()
    other, _ = new_refresh_token()

    assert token != other and len(token) >= 43  # 32 random bytes, base64url
    assert digest == hash_refresh_token(token) and len(digest) == 32


@pytest.mark.requirement("SEC-002")
def test_auth_password_hashing_uses_the_configured_argon2id_parameters(tmp_path: Path) -> None:
    hashing = PasswordHashing(
        Settings(data_dir=tmp_path, argon2_memory_kib=8 * 1024, argon2_time_cost=1)
    )

    async def check() -> tuple[str, bool, bool, bool]:
        hashed = await hashing.hash("correct horse battery staple")
        return (
            hashed,
            await hashing.verify(hashed, "correct horse battery staple"),
            await hashing.verify(hashed, "wrong"),
            await hashing.verify(None, "correct horse battery staple"),
        )

    hashed, right, wrong, unknown_user = asyncio.run(check())
    assert hashed.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    assert (right, wrong, unknown_user) == (True, False, False)
