"""The failed-login limit holds exactly under concurrency: of many simultaneous wrong
guesses for one account only the limit's worth reach the password check."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.errors import RateLimited
from refarch.reference_impl.users.domain import InvalidCredentials, NewUser

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"
CONCURRENT_GUESSES = 30


async def _user(services: Services) -> str:
    email = f"guessed-{uuid.uuid4().hex[:12]}@example.test"
    await services.users.register(NewUser(email=email, first_name="A", last_name="B"), PASSWORD)
    return email


async def _outcome(services: Services, email: str, password: str, ip: str) -> str:
    try:
        await services.users.login(email, password, ip)
    except InvalidCredentials:
        return "401"
    except RateLimited:
        return "429"
    return "200"


async def test_concurrent_wrong_guesses_are_checked_at_most_the_limit_times(
    services: Services,
) -> None:
    email, limit = await _user(services), services.settings.login_max_failures

    outcomes = await asyncio.gather(
        *(
            _outcome(services, email, f"wrong guess {n:04d}", f"192.0.2.{n % 250 + 1}")
            for n in range(CONCURRENT_GUESSES)
        )
    )

    assert (outcomes.count("401"), outcomes.count("429")) == (limit, CONCURRENT_GUESSES - limit)
    assert await _outcome(services, email, PASSWORD, "192.0.2.251") == "429"


async def test_concurrent_guesses_from_one_address_are_checked_at_most_its_limit_times(
    services: Services,
) -> None:
    limit = services.settings.login_ip_max_failures

    outcomes = await asyncio.gather(  # unknown emails: only the address bucket can refuse
        *(
            _outcome(services, f"nobody-{uuid.uuid4().hex}@example.test", "guess", "198.51.100.9")
            for _ in range(CONCURRENT_GUESSES)
        )
    )

    assert outcomes.count("401") == limit, outcomes
    assert outcomes.count("429") == CONCURRENT_GUESSES - limit


async def test_a_refused_attempt_does_not_use_up_the_address_budget(services: Services) -> None:
    # throttled attempts on one locked account must not lock the address out of others
    locked, other = await _user(services), await _user(services)
    for n in range(services.settings.login_max_failures):
        await _outcome(services, locked, f"wrong {n}", "203.0.113.5")
    for _ in range(services.settings.login_ip_max_failures):
        assert await _outcome(services, locked, PASSWORD, "203.0.113.5") == "429"

    assert await _outcome(services, other, PASSWORD, "203.0.113.5") == "200"
