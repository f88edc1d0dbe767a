"""OWASP API2:2023 Broken Authentication: every secured operation refuses missing and forged
tokens with a Bearer challenge, tokens travel only in the header, and guessing is throttled."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from refarch.conformance.actors import Actor
from refarch.conformance.budget import throttling_expected
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_problem, expect_status
from refarch.conformance.options import current_run
from refarch.conformance.schemas import operation_index
from refarch.conformance.testdata import MISSING_ID
from refarch.conformance.tokens import corrupt_signature, escalate_claims, unsigned_token

pytestmark = [pytest.mark.services("users"), pytest.mark.layer("security")]

#: AUTH-012 counts failed logins "within 15 minutes": no throttled client need wait longer
THROTTLE_WINDOW_SECONDS = 15 * 60
#: the longest Retry-After a check waits out to see that it was honest; longer ones are
#: only bounded by the window
SHORT_WAIT_SECONDS = 5
RUN = current_run()


def _secured_requests() -> list[tuple[str, str]]:
    """(METHOD, concrete path) for every secured operation of the selected services; a quick
    run samples one per service (the full run covers them all)."""
    requests, services_seen = [], set()
    for op in operation_index(RUN.version).values():
        if op.public or op.service not in RUN.services:
            continue
        if RUN.quick and op.service in services_seen:
            continue
        services_seen.add(op.service)
        path = op.path
        for name in ("user_id", "order_id", "product_id", "category_id"):
            path = path.replace("{" + name + "}", MISSING_ID)
        requests.append((op.method, path))
    return requests


def _refused(response: httpx.Response, challenge: str, why: str) -> None:
    expect_problem(response, 401, why=why)
    header = response.headers.get("www-authenticate", "")
    expect(
        header.startswith("Bearer") and challenge in header,
        f"WWW-Authenticate: Bearer … {challenge}",
        response,
        f"WWW-Authenticate: {header!r}",
    )


@pytest.mark.requirement("AUTH-006")
def test_a_missing_token_is_refused_with_a_challenge(api: ApiClient) -> None:
    for method, path in _secured_requests():
        _refused(api.request(method, path), 'realm="refarch"', f"{method} {path} without a token")


@pytest.mark.requirement("AUTH-007")
@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b", "a.b.c.d", "eyJ!!.eyJ!!.sig"],
    ids=["text", "two-parts", "four-parts", "bad-base64"],
)
def test_malformed_tokens_are_refused(api: ApiClient, token: str) -> None:
    for method, path in _secured_requests():
        response = api.request(method, path, headers={"Authorization": f"Bearer {token}"})
        _refused(response, 'error="invalid_token"', f"{method} {path} with a malformed token")


@pytest.mark.requirement("AUTH-008")
def test_unsigned_tokens_are_refused(api: ApiClient, alice: Actor) -> None:
    forged = {"Authorization": f"Bearer {unsigned_token(alice.access_token)}"}
    for method, path in _secured_requests():
        _refused(
            api.request(method, path, headers=forged),
            'error="invalid_token"',
            f"{method} {path} with alg none",
        )


@pytest.mark.requirement("AUTH-009")
def test_tampered_tokens_are_refused(api: ApiClient, alice: Actor) -> None:
    for forged in (escalate_claims(alice.access_token), corrupt_signature(alice.access_token)):
        headers = {"Authorization": f"Bearer {forged}"}
        for method, path in _secured_requests():
            _refused(
                api.request(method, path, headers=headers),
                'error="invalid_token"',
                f"{method} {path} with a tampered token",
            )


@pytest.mark.requirement("SEC-003")
def test_tokens_are_accepted_only_in_the_authorization_header(api: ApiClient, alice: Actor) -> None:
    in_query = api.get("/users/me", params={"access_token": alice.access_token})
    expect_status(in_query, 401, why="a token in the query string is ignored")
    in_cookie = api.get("/users/me", headers={"Cookie": f"access_token={alice.access_token}"})
    expect_status(in_cookie, 401, why="a token in a cookie is ignored")


@pytest.mark.requirement("AUTH-012", "SEC-006")
def test_failed_logins_are_throttled_per_account(
    api: ApiClient, new_user: Callable[..., Actor]
) -> None:
    # a fresh account: the throttle must not lock out anything the rest of the run uses
    user = new_user(role="throttled")
    with throttling_expected():  # the throttle is the subject here: its 429s are no setup problem
        for attempt in range(5):
            wrong = api.post(
                "/auth/login", json={"email": user.email, "password": f"wrong-password-{attempt}"}
            )
            expect_problem(wrong, 401, why=f"failed attempt {attempt + 1} of 5 is refused as usual")
        right = api.post("/auth/login", json={"email": user.email, "password": user.password})
    expect_problem(
        right, 429, why="after 5 failures the account is throttled, even with the right password"
    )
    retry_after = right.headers.get("retry-after", "")
    expect(
        retry_after.isdigit() and 0 < int(retry_after) <= THROTTLE_WINDOW_SECONDS,
        f"a positive integer Retry-After of at most the {THROTTLE_WINDOW_SECONDS} s window the"
        " failures count in",
        right,
        f"Retry-After: {retry_after!r}",
    )
    # Retry-After is the wait the client is told to make: once it has passed, the right
    # password gets in. A target whose throttle outlasts the Retry-After it names sends every
    # client that trusts it into a retry loop. A correct target names the seconds to the end
    # of its window, so the wait is short only in a window's last seconds (mutation testing
    # found a target answering 1 s while throttling for up to 15 minutes).
    if int(retry_after) <= SHORT_WAIT_SECONDS:
        time.sleep(int(retry_after) + 0.5)
        with throttling_expected():  # a 429 here is the failure under test, not a setup problem
            later = api.post("/auth/login", json={"email": user.email, "password": user.password})
        expect_status(
            later, 200, why=f"the right password after waiting the Retry-After of {retry_after} s"
        )
