"""Profiles and the accounts administrators manage."""

from __future__ import annotations

import pytest

from refarch.conformance.actors import Actor, Cleanup, log_in, register_user
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_problem, expect_status, json_body
from refarch.conformance.kept_accounts import SPARE, kept_user
from refarch.conformance.tokens import claims_of

pytestmark = [pytest.mark.services("users"), pytest.mark.layer("scenarios")]


@pytest.mark.requirement("USR-006")
def test_a_user_reads_and_updates_exactly_their_own_profile(api: ApiClient, carol: Actor) -> None:
    user = carol
    expect_status(
        api.patch("/users/me", json={"phone": "+4930123456"}, headers=user.headers),
        200,
        why="a user sets their own phone",
    )
    me = json_body(
        expect_status(api.get("/users/me", headers=user.headers), 200, why="own profile")
    )
    expect(me["id"] == user.user_id, "getMyProfile returns the account named by the token's sub")
    patch = api.patch("/users/me", json={"first_name": "Grace"}, headers=user.headers)
    changed = json_body(expect_status(patch, 200, why="a user edits their own name"))
    expect(
        changed["first_name"] == "Grace"
        and changed["last_name"] == me["last_name"]
        and changed["phone"] == "+4930123456",
        "only the members sent change",
        patch,
    )
    cleared = api.patch("/users/me", json={"phone": None}, headers=user.headers)
    expect(
        json_body(expect_status(cleared, 200, why="phone null removes the phone"))["phone"] is None,
        "phone null removes the phone",
        cleared,
    )
    again = json_body(api.get("/users/me", headers=user.headers))
    expect(
        again["first_name"] == "Grace" and again["phone"] is None,
        "the edits are persisted",
        None,
        str(again),
    )


@pytest.mark.requirement("USR-009")
def test_admins_list_and_filter_accounts(api: ApiClient, admin: Actor, alice: Actor) -> None:
    by_email = api.get("/users", params={"email": alice.email.upper()}, headers=admin.headers)
    found = json_body(expect_status(by_email, 200, why="an admin lists accounts"))["items"]
    expect(
        [u["id"] for u in found] == [alice.user_id],
        "the email filter finds exactly that account, ignoring letter case",
        by_email,
    )
    admins = api.get("/users", params={"role": "admin", "limit": 100}, headers=admin.headers)
    items = json_body(expect_status(admins, 200, why="an admin filters by role"))["items"]
    expect(
        all(u["role"] == "admin" for u in items) and admin.user_id in [u["id"] for u in items],
        "the role filter returns only admins, including the caller",
        admins,
    )


@pytest.mark.requirement("USR-010")
def test_suspension_and_role_changes_take_effect(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # kept between runs: the next run restores it to an active customer before use
    promoted = kept_user(api, admin, SPARE)
    change = api.patch(f"/users/{promoted.user_id}", json={"role": "admin"}, headers=admin.headers)
    expect_status(change, 200, why="an admin changes a role")
    tokens = log_in(api, promoted.email, promoted.password)
    expect(
        claims_of(tokens["access_token"]).get("role") == "admin",
        "newly issued access tokens carry the new role",
        None,
        str(claims_of(tokens["access_token"])),
    )
    suspended = promoted  # the same account: every registration counts against the address
    suspend = api.patch(
        f"/users/{suspended.user_id}", json={"status": "suspended"}, headers=admin.headers
    )
    expect(
        json_body(expect_status(suspend, 200, why="an admin suspends an account"))["status"]
        == "suspended",
        "the account reads back as suspended",
        suspend,
    )
    login = api.post("/auth/login", json={"email": suspended.email, "password": suspended.password})
    expect_problem(login, 401, why="a suspended account cannot sign in")
    refresh = api.post("/auth/refresh", json={"refresh_token": suspended.refresh_token})
    expect_problem(refresh, 401, why="a suspended account's refresh token is refused")


@pytest.mark.requirement("USR-011")
def test_deleted_accounts_are_gone(api: ApiClient, admin: Actor, cleanup: Cleanup) -> None:
    user = register_user(api, cleanup, role="deleted")
    expect_status(
        api.delete(f"/users/{user.user_id}", headers=admin.headers),
        204,
        why="an admin deletes an account",
    )
    expect_problem(
        api.get(f"/users/{user.user_id}", headers=admin.headers),
        404,
        why="a deleted account is gone",
    )
    login = api.post("/auth/login", json={"email": user.email, "password": user.password})
    expect_problem(login, 401, why="a deleted account cannot sign in")
    # its access token has not expired yet; getMyProfile documents no 404, so: 401
    stale = api.get("/users/me", headers=user.headers)
    expect_problem(stale, 401, why="the access token of a deleted account no longer works")
    yourself = api.delete(f"/users/{admin.user_id}", headers=admin.headers)
    expect_problem(yourself, 409, why="an administrator cannot delete their own account")
