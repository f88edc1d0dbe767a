"""Registration, login, throttling, token rotation and administration against a real database."""

from __future__ import annotations

import uuid

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.errors import RateLimited
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.tokens import verify_access_token
from refarch.reference_impl.users.domain import (
    AccountGone,
    CannotDeleteSelf,
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidRefreshToken,
    NewUser,
    User,
    UserNotFound,
)
from tests.reference_impl.services.factories import admin

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"


def random_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.test"


async def register(services: Services, email: str | None = None) -> User:
    return await services.users.register(
        NewUser(email=email or random_email(), first_name="Ada", last_name="Lovelace"), PASSWORD
    )


def as_principal(user: User) -> Principal:
    return Principal(user_id=user.id, role=user.role)


async def test_usr_duplicate_email_is_refused_regardless_of_case(services: Services) -> None:
    email = random_email()
    await register(services, email)

    with pytest.raises(EmailAlreadyRegistered):
        await register(services, email.upper())


@pytest.mark.requirement("SEC-002")
async def test_usr_registration_stores_an_argon2id_hash_and_an_event(services: Services) -> None:
    user = await register(services)

    stored = await services.pool.fetchval(
        "SELECT password_hash FROM users.users WHERE id = $1", user.id
    )
    event = await services.pool.fetchrow(
        "SELECT event_type, payload FROM users.outbox WHERE aggregate_id = $1", user.id
    )
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored
    assert (event["event_type"], event["payload"]["user_id"]) == ("user.registered", str(user.id))


async def test_auth_login_issues_a_verifiable_access_token(services: Services) -> None:
    user = await register(services)

    pair = await services.users.login(user.email.upper(), PASSWORD, "192.0.2.10")

    principal = verify_access_token(services.settings, pair.access_token)
    assert (principal.user_id, principal.role) == (user.id, "customer")
    assert (pair.expires_in, pair.refresh_expires_in) == (900, 14 * 24 * 3600)


async def test_auth_unknown_email_wrong_password_and_suspended_look_the_same(
    services: Services,
) -> None:
    user, suspended = await register(services), await register(services)
    await services.users.admin_update(admin(), suspended.id, {"status": "suspended"})

    failures = []
    for email, password in [
        (random_email(), PASSWORD),
        (user.email, "wrong password!!"),
        (suspended.email, PASSWORD),
    ]:
        with pytest.raises(InvalidCredentials) as refused:
            await services.users.login(email, password, "192.0.2.11")
        failures.append((type(refused.value), refused.value.detail, refused.value.extensions))

    assert len(set(map(repr, failures))) == 1


async def test_auth_login_is_throttled_per_account_before_the_password_is_checked(
    services: Services,
) -> None:
    user = await register(services)
    for _ in range(services.settings.login_max_failures):
        with pytest.raises(InvalidCredentials):
            await services.users.login(user.email, "wrong password!!", "192.0.2.12")

    with pytest.raises(RateLimited) as throttled:
        await services.users.login(user.email, PASSWORD, "192.0.2.13")  # right password

    assert 1 <= throttled.value.retry_after <= services.settings.login_window_seconds


async def test_auth_successful_login_resets_the_account_failures(services: Services) -> None:
    user = await register(services)
    for _ in range(services.settings.login_max_failures - 1):
        with pytest.raises(InvalidCredentials):
            await services.users.login(user.email, "wrong password!!", "192.0.2.14")
    await services.users.login(user.email, PASSWORD, "192.0.2.14")

    for _ in range(services.settings.login_max_failures - 1):
        with pytest.raises(InvalidCredentials):
            await services.users.login(user.email, "wrong password!!", "192.0.2.14")
    await services.users.login(user.email, PASSWORD, "192.0.2.14")  # still not throttled


@pytest.mark.requirement("AUTH-013")
async def test_auth_login_is_throttled_per_client_address(
    services: Services,
) -> None:
    limit = services.settings.login_ip_max_failures
    for _ in range(limit):  # a different unknown account each time: only the address repeats
        with pytest.raises(InvalidCredentials):
            await services.users.login(random_email(), "wrong password!!", "198.51.100.7")
    user = await register(services)

    with pytest.raises(RateLimited):
        await services.users.login(user.email, PASSWORD, "198.51.100.7")
    assert (await services.users.login(user.email, PASSWORD, "198.51.100.8")).access_token


async def test_auth_refresh_rotates_and_reuse_revokes_the_family(services: Services) -> None:
    user = await register(services)
    first = await services.users.login(user.email, PASSWORD, "192.0.2.20")

    second = await services.users.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await services.users.refresh(first.refresh_token)  # the rotated-away token came back

    # The reuse revoked the whole family, including the newest token.
    with pytest.raises(InvalidRefreshToken):
        await services.users.refresh(second.refresh_token)
    assert second.refresh_token != first.refresh_token


async def test_auth_logout_revokes_and_is_idempotent(services: Services) -> None:
    user = await register(services)
    pair = await services.users.login(user.email, PASSWORD, "192.0.2.21")

    await services.users.logout(pair.refresh_token)
    await services.users.logout(pair.refresh_token)
    await services.users.logout("never-issued")

    with pytest.raises(InvalidRefreshToken):
        await services.users.refresh(pair.refresh_token)


async def test_auth_refresh_tokens_are_stored_only_as_hashes(services: Services) -> None:
    user = await register(services)
    pair = await services.users.login(user.email, PASSWORD, "192.0.2.22")

    stored = await services.pool.fetch(
        "SELECT token_hash FROM users.refresh_tokens WHERE user_id = $1", user.id
    )
    assert len(stored) == 1 and pair.refresh_token.encode() not in stored[0]["token_hash"]


async def test_usr_other_users_are_not_found_unless_admin(services: Services) -> None:
    alice, bob = await register(services), await register(services)
    operator = Principal(user_id=uuid.uuid4(), role="admin")

    assert (await services.users.get_user(as_principal(alice), alice.id)).id == alice.id
    assert (await services.users.get_user(operator, bob.id)).id == bob.id
    with pytest.raises(UserNotFound):
        await services.users.get_user(as_principal(alice), bob.id)
    with pytest.raises(UserNotFound):
        await services.users.get_user(operator, uuid.uuid4())


async def test_usr_profile_update_cannot_change_role(services: Services) -> None:
    user = await register(services)

    updated = await services.users.update_profile(
        user.id, {"first_name": "Augusta", "phone": "+441234567890", "role": "admin"}
    )

    assert (updated.first_name, updated.phone, updated.role) == (
        "Augusta",
        "+441234567890",
        "customer",
    )


async def test_usr_admin_cannot_delete_themselves(services: Services) -> None:
    user = await register(services)
    operator = Principal(user_id=uuid.uuid4(), role="admin")

    with pytest.raises(CannotDeleteSelf):
        await services.users.delete_user(operator, operator.user_id)
    await services.users.delete_user(operator, user.id)
    with pytest.raises(UserNotFound):
        await services.users.delete_user(operator, user.id)


async def test_usr_list_filters_by_role_and_case_insensitive_email(services: Services) -> None:
    users = [await register(services) for _ in range(3)]
    await services.users.admin_update(admin(), users[0].id, {"role": "admin"})

    admins, admin_total = await services.users.list_users(
        role="admin", email=None, limit=20, offset=0
    )
    by_email, email_total = await services.users.list_users(
        role=None, email=users[1].email.upper(), limit=20, offset=0
    )
    page, total = await services.users.list_users(role=None, email=None, limit=2, offset=2)

    assert ([u.id for u in admins], admin_total) == ([users[0].id], 1)
    assert ([u.id for u in by_email], email_total) == ([users[1].id], 1)
    assert ([u.id for u in page], total) == ([users[2].id], 3)


async def test_usr_bootstrap_admin_is_idempotent_and_promotes(services: Services) -> None:
    existing = await register(services)

    await services.users.ensure_bootstrap_admin(existing.email, "a new admin password")
    await services.users.ensure_bootstrap_admin(existing.email, "a new admin password")
    fresh = random_email()
    await services.users.ensure_bootstrap_admin(fresh, "another admin password")

    pair = await services.users.login(existing.email, "a new admin password", "192.0.2.30")
    assert verify_access_token(services.settings, pair.access_token).role == "admin"
    assert (
        await services.pool.fetchval("SELECT count(*) FROM users.users WHERE role = 'admin'") == 2
    )


async def test_usr_011_a_deleted_accounts_token_is_refused_not_a_missing_user(
    services: Services,
) -> None:
    operator, user = await register(services), await register(services)
    await services.users.delete_user(Principal(user_id=operator.id, role="admin"), user.id)

    with pytest.raises(AccountGone) as reading:
        await services.users.my_profile(as_principal(user))
    with pytest.raises(AccountGone) as updating:
        await services.users.update_profile(user.id, {"first_name": "Ghost"})
    assert reading.value.invalid_token and updating.value.invalid_token
