"""Customer accounts created during a run: unique per run, so a run never collides with
an earlier one on a long-lived deployment."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from locust.contrib.fasthttp import FastHttpSession

from refarch.loadtests.journeys.expectations import expect, token_pair, user
from refarch.loadtests.rundata import RunData

__all__ = ["SignedIn", "register_and_login"]

#: Re-login this long before the access token expires, so long soak runs never send a stale token.
REFRESH_MARGIN_S = 60


@dataclass
class SignedIn:
    email: str
    password: str
    token: str
    expires_at: float

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def stale(self) -> bool:
        return time.monotonic() > self.expires_at - REFRESH_MARGIN_S


def login(client: FastHttpSession, run: RunData, email: str, password: str) -> SignedIn | None:
    with client.post(
        f"{run.api_prefix}/auth/login",
        json={"email": email, "password": password},
        name="login",
        catch_response=True,
    ) as response:
        tokens = expect(response, 200, token_pair)
    if tokens is None:
        return None
    return SignedIn(
        email, password, tokens["access_token"], time.monotonic() + tokens["expires_in"]
    )


def register_and_login(client: FastHttpSession, run: RunData) -> SignedIn | None:
    email = f"load-{run.run_id}-{uuid.uuid4().hex[:12]}@loadtest.example.com"
    password = f"pw-{uuid.uuid4().hex}"
    with client.post(
        f"{run.api_prefix}/auth/register",
        json={"email": email, "password": password, "first_name": "Load", "last_name": "Tester"},
        name="registerUser",
        catch_response=True,
    ) as response:
        if expect(response, 201, user) is None:
            return None
    return login(client, run, email, password)
