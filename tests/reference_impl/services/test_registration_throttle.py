"""Registration is throttled per client address, before any password is hashed, and the
limit holds under concurrency; other addresses are unaffected."""

from __future__ import annotations

import asyncio
import functools
import uuid

import asyncpg
import pytest

from refarch.reference_impl.errors import RateLimited
from refarch.reference_impl.settings import Settings
from refarch.reference_impl.users.domain import NewUser
from refarch.reference_impl.users.repository import UsersUnitOfWork
from refarch.reference_impl.users.service import UsersService

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"
LIMIT = 4


@pytest.fixture
def users(pool: asyncpg.Pool, settings: Settings) -> UsersService:
    return UsersService(
        functools.partial(UsersUnitOfWork, pool), settings.with_(registration_ip_max=LIMIT)
    )


async def _register(users: UsersService, ip: str) -> str:
    try:
        await users.register(
            NewUser(
                email=f"reg-{uuid.uuid4().hex[:12]}@example.test", first_name="A", last_name="B"
            ),
            PASSWORD,
            client_ip=ip,
        )
    except RateLimited as refused:
        assert refused.retry_after >= 1
        return "429"
    return "201"


async def test_registrations_from_one_address_are_throttled_exactly_under_concurrency(
    users: UsersService,
) -> None:
    outcomes = await asyncio.gather(*(_register(users, "192.0.2.77") for _ in range(LIMIT * 3)))

    assert (outcomes.count("201"), outcomes.count("429")) == (LIMIT, LIMIT * 2)
    assert await _register(users, "192.0.2.78") == "201"  # another address is unaffected


async def test_a_throttled_registration_creates_no_account(
    users: UsersService, pool: asyncpg.Pool
) -> None:
    for _ in range(LIMIT):
        assert await _register(users, "198.51.100.40") == "201"
    before = await pool.fetchval("SELECT count(*) FROM users.users")

    assert await _register(users, "198.51.100.40") == "429"
    assert await pool.fetchval("SELECT count(*) FROM users.users") == before
