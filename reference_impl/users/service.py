"""The users service: registration, login, token refresh/logout, profiles and administration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from refarch.reference_impl.events import Event
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.settings import Settings
from refarch.reference_impl.tokens import issue_access_token
from refarch.reference_impl.unit_of_work import UnitOfWorkFactory
from refarch.reference_impl.users.domain import (
    AccountGone,
    CannotDeleteSelf,
    CannotLockOutSelf,
    InvalidCredentials,
    InvalidRefreshToken,
    LastActiveAdmin,
    NewUser,
    TokenPair,
    User,
    UserNotFound,
    account_bucket,
    hash_refresh_token,
    ip_bucket,
    new_refresh_token,
    removes_admin_rights,
)
from refarch.reference_impl.users.passwords import PasswordHashing
from refarch.reference_impl.users.repository import UsersUnitOfWork
from refarch.reference_impl.users.throttle import LoginThrottle, RegistrationThrottle

__all__ = ["UsersService"]

#: Profile fields a user may change about themselves; role and status are admin-only.
PROFILE_FIELDS = frozenset({"first_name", "last_name", "phone"})
ADMIN_FIELDS = frozenset({"role", "status"})


def _registered_event(user: User) -> Event:
    return Event(
        event_type="user.registered",
        aggregate_type="user",
        aggregate_id=user.id,
        payload={
            "user_id": str(user.id),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "status": user.status,
        },
    )


def _updated_event(user: User, changed: list[str]) -> Event:
    return Event(
        event_type="user.updated",
        aggregate_type="user",
        aggregate_id=user.id,
        payload={
            "user_id": str(user.id),
            "email": user.email,
            "role": user.role,
            "status": user.status,
            "changed": changed,
        },
    )


class UsersService:
    def __init__(self, uow: UnitOfWorkFactory[UsersUnitOfWork], settings: Settings) -> None:
        self._uow = uow
        self._settings = settings
        self._passwords = PasswordHashing(settings)
        self._throttle = LoginThrottle(
            window_seconds=settings.login_window_seconds,
            account_limit=settings.login_max_failures,
            ip_limit=settings.login_ip_max_failures,
        )
        self._registrations = RegistrationThrottle(
            window_seconds=settings.login_window_seconds, ip_limit=settings.registration_ip_max
        )

    # --- registration and authentication -------------------------------------------------

    async def register(self, new_user: NewUser, password: str, client_ip: str = "") -> User:
        """``client_ip`` is the caller's address (throttling); empty for internal callers,
        which then share one bucket."""
        # counted before argon2 runs, so a refused burst costs one statement each (AUTH-016)
        async with self._uow(autocommit=True) as single:
            await self._registrations.begin(single.login_failures, client_ip)
        password_hash = await self._passwords.hash(password)
        async with self._uow() as uow:
            user = await uow.users.add(new_user, password_hash)
            uow.publish("users", _registered_event(user))
            await uow.commit()
        return user

    async def login(self, email: str, password: str, client_ip: str) -> TokenPair:
        account, ip = account_bucket(email), ip_bucket(client_ip)
        async with self._uow(autocommit=True) as single:
            attempt = await self._throttle.begin(single.login_failures, account, ip)
            found = await single.users.credentials_by_email(email)
            # Verify even when the email is unknown (against a dummy hash): same work, same timing.
            password_ok = await self._passwords.verify(found[1] if found else None, password)
            if found is None or not password_ok or not found[0].can_log_in:
                await self._throttle.failed(single.login_failures, attempt)
                raise InvalidCredentials()
            # statement by statement like the counting: a transaction holding the account's
            # counter while it waits for the address's could deadlock with another login
            await self._throttle.succeeded(single.login_failures, attempt)
        user = found[0]
        async with self._uow() as uow:
            pair = await self._issue_tokens(uow, user, family_id=uuid.uuid4())
            await uow.commit()
        return pair

    async def refresh(self, refresh_token: str) -> TokenPair:
        token_hash = hash_refresh_token(refresh_token)
        async with self._uow() as uow:
            tokens = uow.refresh_tokens
            live = await tokens.revoke_if_active(token_hash)
            if live is None:
                family = await tokens.family_of_revoked(token_hash)
                if family is not None:
                    # A rotated-away token came back: it was stolen or replayed. Revoke the
                    # whole family so whoever holds the newest token must log in again.
                    await tokens.revoke_family(family)
                    await uow.commit()
                raise InvalidRefreshToken()
            user_id, family_id = live
            user = await uow.users.get(user_id)
            if user is None or not user.can_log_in:
                raise InvalidRefreshToken()
            pair = await self._issue_tokens(uow, user, family_id=family_id)
            await uow.commit()
        return pair

    async def logout(self, refresh_token: str) -> None:
        """Revoke the token; unknown or already revoked tokens are fine (logout is idempotent)."""
        async with self._uow(autocommit=True) as uow:
            await uow.refresh_tokens.revoke_if_active(hash_refresh_token(refresh_token))

    async def _issue_tokens(
        self, uow: UsersUnitOfWork, user: User, *, family_id: UUID
    ) -> TokenPair:
        access_token, expires_in = issue_access_token(self._settings, user.id, user.role)
        refresh_token, token_hash = new_refresh_token()
        ttl = self._settings.refresh_token_ttl
        await uow.refresh_tokens.add(
            user.id, token_hash, family_id, datetime.now(UTC) + timedelta(seconds=ttl)
        )
        return TokenPair(access_token, expires_in, refresh_token, ttl)

    async def current_principal(self, claimed: Principal) -> Principal | None:
        """The token's caller with the role their account has now; None if the account is
        suspended or deleted. Asked on every authenticated request (no cache: one
        primary-key read is cheaper than explaining a stale admin)."""
        async with self._uow(autocommit=True) as uow:
            standing = await uow.users.standing(claimed.user_id)
        if standing is None or standing[1] != "active":
            return None
        return Principal(user_id=claimed.user_id, role=standing[0])

    # --- profiles and administration -----------------------------------------------------

    async def get_user(self, viewer: Principal, user_id: UUID) -> User:
        """Self or admin; anyone else gets the same NotFound as for a missing id."""
        if viewer.user_id != user_id and not viewer.is_admin:
            raise UserNotFound()
        async with self._uow(autocommit=True) as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise UserNotFound()
        return user

    async def my_profile(self, me: Principal) -> User:
        async with self._uow(autocommit=True) as uow:
            user = await uow.users.get(me.user_id)
        if user is None:
            raise AccountGone()
        return user

    async def update_profile(self, user_id: UUID, changes: dict[str, Any]) -> User:
        try:
            return await self._update(user_id, changes, PROFILE_FIELDS)
        except UserNotFound:
            raise AccountGone() from None

    async def admin_update(self, actor: Principal, user_id: UUID, changes: dict[str, Any]) -> User:
        """Change role or status, never locking every administrator out (USR-012)."""
        columns = {key: value for key, value in changes.items() if key in ADMIN_FIELDS}
        locks_out = removes_admin_rights(columns)
        if locks_out and actor.user_id == user_id:
            raise CannotLockOutSelf()
        async with self._uow() as uow:
            if locks_out:
                await self._ensure_not_last_admin(uow, user_id)
            # Locked, so `changed` compares with the values this update really replaces.
            before = await uow.users.get(user_id, for_update=True)
            if before is None:
                raise UserNotFound()
            user = await uow.users.update(user_id, columns) if columns else before
            assert user is not None  # locked above: it cannot have gone
            changed = [
                name
                for name in sorted(ADMIN_FIELDS)
                if getattr(before, name) != getattr(user, name)
            ]
            if changed:
                uow.publish("users", _updated_event(user, changed))
            await uow.commit()
        return user

    @staticmethod
    async def _ensure_not_last_admin(uow: UsersUnitOfWork, user_id: UUID) -> None:
        admins = await uow.users.lock_active_admins()
        if user_id in admins and len(admins) == 1:
            raise LastActiveAdmin()

    async def _update(
        self, user_id: UUID, changes: dict[str, Any], allowed: frozenset[str]
    ) -> User:
        # The schema already refuses other fields; filtering again keeps column names in SQL
        # from ever coming from the client.
        columns = {key: value for key, value in changes.items() if key in allowed}
        async with self._uow(autocommit=True) as uow:
            users = uow.users
            user = await (users.update(user_id, columns) if columns else users.get(user_id))
        if user is None:
            raise UserNotFound()
        return user

    async def list_users(
        self, *, role: str | None, email: str | None, limit: int, offset: int
    ) -> tuple[list[User], int]:
        async with self._uow(autocommit=True) as uow:
            return await uow.users.page(role=role, email=email, limit=limit, offset=offset)

    async def delete_user(self, actor: Principal, user_id: UUID) -> None:
        if actor.user_id == user_id:
            raise CannotDeleteSelf()
        async with self._uow() as uow:
            await self._ensure_not_last_admin(uow, user_id)
            if not await uow.users.delete(user_id):
                raise UserNotFound()
            uow.publish(
                "users",
                Event("user.deleted", "user", user_id, {"user_id": str(user_id)}),
            )
            await uow.commit()

    async def ensure_bootstrap_admin(self, email: str, password: str) -> None:
        """Create the operator's admin account, or make an existing one admin with this password.

        Idempotent, so every start (and every worker) may call it.
        """
        password_hash = await self._passwords.hash(password)
        async with self._uow(autocommit=True) as uow:
            await uow.users.upsert_admin(email, password_hash)

    async def prune_expired(self) -> int:
        """Housekeeping: drop expired refresh tokens; returns how many went."""
        async with self._uow(autocommit=True) as uow:
            return await uow.refresh_tokens.delete_expired()
