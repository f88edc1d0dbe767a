"""Registration, login, token refresh and logout, as the users spec describes them."""

from __future__ import annotations

import pytest

from refarch.conformance.actors import Actor, Registration, actor_for
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import (
    expect,
    expect_problem,
    expect_status,
    json_body,
    named_fields,
)
from refarch.conformance.testdata import random_email, random_password
from refarch.conformance.tokens import claims_of, header_of

pytestmark = [pytest.mark.services("users"), pytest.mark.layer("scenarios")]


def _registration(email: str, **fields: str) -> dict[str, str]:
    body = {"email": email, "password": random_password(), "first_name": "Ada", "last_name": "Test"}
    return {**body, **fields}


@pytest.mark.requirement("AUTH-001", "API-012")
def test_registration_creates_an_active_customer(registration: Registration) -> None:
    # the run's one registration check; the account it makes is the run's new customer for
    # the checks that need one (conformance.fixtures.registration)
    response = registration.response
    user = json_body(
        expect_status(response, 201, why="a new, valid registration creates an account")
    )
    expect(
        user.get("email", "").lower() == registration.email,
        "the account has the registered email",
        response,
    )
    expect(
        user.get("role") == "customer" and user.get("status") == "active",
        "a registered account is an active customer",
        response,
    )
    location = response.headers.get("location", "")
    expect(
        location.endswith(f"/users/{user['id']}"),
        "Location names /api/v1/users/{id}",
        response,
        f"Location: {location!r}",
    )


@pytest.mark.requirement("USR-001")
def test_duplicate_email_is_refused_ignoring_letter_case(api: ApiClient, alice: Actor) -> None:
    # an account the run has anyway, and one attempt: every registration counts against the
    # suite's address. The other letter case catches both plausible mistakes: no uniqueness
    # check at all, and a case-sensitive one.
    shouting = api.post("/auth/register", json=_registration(alice.email.upper()))
    expect_problem(shouting, 409, why="emails are compared without regard to letter case")


@pytest.mark.requirement("USR-002")
@pytest.mark.parametrize("password", ["short-pass1", "x" * 129], ids=["11-chars", "129-chars"])
def test_password_length_policy(api: ApiClient, password: str) -> None:
    response = api.post("/auth/register", json=_registration(random_email("pw"), password=password))
    body = expect_problem(response, 422, why="passwords must have 12 to 128 characters")
    expect("password" in named_fields(body), "an errors entry for field password", response)


@pytest.mark.requirement("USR-003")
def test_phone_numbers_must_be_e164(api: ApiClient) -> None:
    response = api.post(
        "/auth/register", json=_registration(random_email("phone"), phone="0049 30 1234")
    )
    body = expect_problem(response, 422, why="a phone must match ^\\+[1-9][0-9]{1,14}$")
    expect("phone" in named_fields(body), "an errors entry for field phone", response)


@pytest.mark.requirement("USR-004")
@pytest.mark.parametrize(
    "name",
    ["", "   ", "x" * 101, "Ada\u0000Null"],
    ids=["empty", "spaces", "101-chars", "control-char"],
)
def test_names_must_be_visible_text(api: ApiClient, name: str) -> None:
    response = api.post("/auth/register", json=_registration(random_email("name"), first_name=name))
    body = expect_problem(response, 422, why="names must be 1..100 characters of visible text")
    expect("first_name" in named_fields(body), "an errors entry for field first_name", response)


@pytest.mark.requirement("AUTH-002")
def test_login_issues_a_token_pair_that_is_never_cached(api: ApiClient, alice: Actor) -> None:
    response = api.post("/auth/login", json={"email": alice.email, "password": alice.password})
    tokens = json_body(expect_status(response, 200, why="valid credentials sign in"))
    expect(
        tokens.get("token_type") == "Bearer" and bool(tokens.get("refresh_token")),
        "token_type Bearer and a refresh token",
        response,
    )
    claims, header = claims_of(tokens["access_token"]), header_of(tokens["access_token"])
    expect(
        header.get("alg") == "HS256"
        and claims.get("iss") == "refarch"
        and claims.get("aud") == "refarch-api"
        and claims.get("sub") == alice.user_id
        and claims.get("role") == "customer"
        and all(name in claims for name in ("iat", "exp", "jti")),
        "an HS256 JWT with iss=refarch, aud=refarch-api, sub=user id, role, iat, exp, jti",
        response,
        f"header {header}, claims {claims}",
    )
    expect(
        "no-store" in response.headers.get("cache-control", ""),
        "Cache-Control: no-store",
        response,
        f"Cache-Control: {response.headers.get('cache-control')!r}",
    )


@pytest.mark.requirement("AUTH-015")
def test_login_ignores_the_letter_case_of_the_email(api: ApiClient, alice: Actor) -> None:
    response = api.post(
        "/auth/login", json={"email": alice.email.upper(), "password": alice.password}
    )
    expect_status(response, 200, why="the email is matched without regard to letter case")


@pytest.mark.requirement("AUTH-014")
def test_login_failures_do_not_reveal_which_accounts_exist(api: ApiClient, bob: Actor) -> None:
    user = bob  # one failure is far below the account's limit (AUTH-012)
    wrong = api.post("/auth/login", json={"email": user.email, "password": "not-the-password-1"})
    unknown = api.post(
        "/auth/login", json={"email": random_email("nobody"), "password": "not-the-password-1"}
    )
    first = expect_problem(wrong, 401, why="a wrong password is refused")
    second = expect_problem(unknown, 401, why="an unknown email is refused")
    same = ("type", "title", "status", "detail")
    expect(
        {k: first.get(k) for k in same} == {k: second.get(k) for k in same}
        and wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate"),
        "identical title, detail and WWW-Authenticate for a wrong password and an unknown email",
        unknown,
        f"{first} vs {second}",
    )


@pytest.mark.requirement("AUTH-003", "AUTH-004")
def test_refresh_tokens_rotate_and_reuse_revokes_the_successor(
    api: ApiClient, alice: Actor
) -> None:
    user = actor_for(api, alice.email, alice.password)  # a session of its own
    rotated = api.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    tokens = json_body(expect_status(rotated, 200, why="a valid refresh token is exchanged once"))
    expect(
        tokens.get("refresh_token") != user.refresh_token,
        "a new refresh token on every refresh",
        rotated,
    )
    me = api.get("/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    expect_status(me, 200, why="the refreshed access token is valid")
    reused = api.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    expect_problem(reused, 401, why="a refresh token works once; reusing it is refused")
    successor = api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    expect_problem(
        successor, 401, why="reusing a rotated token revokes the token issued in its place"
    )


@pytest.mark.requirement("AUTH-005")
def test_logout_revokes_the_refresh_token(api: ApiClient, alice: Actor) -> None:
    user = actor_for(api, alice.email, alice.password)  # a session of its own
    logout = api.post("/auth/logout", json={"refresh_token": user.refresh_token})
    expect_status(logout, 204, why="logout revokes the refresh token")
    refresh = api.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    expect_problem(refresh, 401, why="a refresh token revoked by logout is refused")
    unknown = api.post("/auth/logout", json={"refresh_token": "never-issued-" + random_password()})
    expect_status(unknown, 204, why="logout answers 204 for a token that never existed")
