"""X-Forwarded-For decides the client address only when it comes from a configured proxy.

uvicorn trusts it from 127.0.0.1 by default, so anyone on the host (or behind a proxy
that passes the header through) could spread password guesses over invented addresses,
or pin the per-address login throttle on a victim's. The per-address throttle is how a
client sees which address the server believed: three failed logins (each for a different
account, so the per-account limit stays out of it) from one real address, each claiming
another forwarded address.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from tests.support.server import ServerHandle, reference_server

PER_ADDRESS_LIMIT = 2


def _failed_logins_claiming_other_addresses(server: ServerHandle) -> list[int]:
    statuses = []
    for n in range(PER_ADDRESS_LIMIT + 1):
        response = httpx.post(
            f"{server.api_url}/auth/login",
            json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "wrong" * 4},
            headers={"x-forwarded-for": f"203.0.113.{n + 1}"},
            timeout=30,
        )
        statuses.append(response.status_code)
    return statuses


def test_forwarded_for_is_ignored_by_default(tmp_path: Path, database_url: str) -> None:
    env = {"REFARCH_LOGIN_IP_MAX_FAILURES": str(PER_ADDRESS_LIMIT)}
    with reference_server(tmp_path, database_url, env=env, subprocess=True) as server:
        statuses = _failed_logins_claiming_other_addresses(server)
    # every attempt counted against the real address: the last one is throttled
    assert statuses == [401] * PER_ADDRESS_LIMIT + [429], statuses


def test_forwarded_for_from_a_configured_proxy_names_the_client(
    tmp_path: Path, database_url: str
) -> None:
    env = {
        "REFARCH_LOGIN_IP_MAX_FAILURES": str(PER_ADDRESS_LIMIT),
        "REFARCH_TRUSTED_PROXIES": "127.0.0.1",
    }
    with reference_server(tmp_path, database_url, env=env, subprocess=True) as server:
        statuses = _failed_logins_claiming_other_addresses(server)
    # the proxy vouches for three different clients: none reached its own limit
    assert statuses == [401] * (PER_ADDRESS_LIMIT + 1), statuses
