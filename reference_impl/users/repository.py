"""SQL for the users schema (users.users, users.refresh_tokens). Nothing else touches it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from refarch.reference_impl.statements import Filters, fetch_page, update_returning
from refarch.reference_impl.unit_of_work import Executor, UnitOfWork
from refarch.reference_impl.users.domain import EmailAlreadyRegistered, NewUser, User

__all__ = ["LoginFailures", "RefreshTokenRepository", "UserRepository", "UsersUnitOfWork"]

_USER_COLUMNS = "id, email, first_name, last_name, phone, role, status, created_at, updated_at"


def _user(row: asyncpg.Record | None) -> User | None:
    return None if row is None else User(**{key: row[key] for key in User.__slots__})


class UserRepository:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add(self, new_user: NewUser, password_hash: str) -> User:
        try:
            row = await self._db.fetchrow(
                "INSERT INTO users.users (email, password_hash, first_name, last_name, phone, role)"
                f" VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_USER_COLUMNS}",
                new_user.email,
                password_hash,
                new_user.first_name,
                new_user.last_name,
                new_user.phone,
                new_user.role,
            )
        except asyncpg.UniqueViolationError:
            raise EmailAlreadyRegistered() from None
        user = _user(row)
        assert user is not None
        return user

    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        lock = " FOR UPDATE" if for_update else ""
        return _user(
            await self._db.fetchrow(
                f"SELECT {_USER_COLUMNS} FROM users.users WHERE id = $1{lock}", user_id
            )
        )

    async def standing(self, user_id: UUID) -> tuple[str, str] | None:
        """(role, status) of an account, or None: one primary-key probe per request."""
        row = await self._db.fetchrow("SELECT role, status FROM users.users WHERE id = $1", user_id)
        return None if row is None else (row["role"], row["status"])

    async def credentials_by_email(self, email: str) -> tuple[User, str] | None:
        """The user and their password hash, for login only (the hash never leaves the service)."""
        row = await self._db.fetchrow(
            f"SELECT {_USER_COLUMNS}, password_hash FROM users.users WHERE lower(email) = lower($1)",
            email,
        )
        if row is None:
            return None
        user = _user(row)
        assert user is not None
        return user, row["password_hash"]

    async def update(self, user_id: UUID, changes: dict[str, Any]) -> User | None:
        """Set the given columns (names come from the service, never from the client)."""
        return _user(
            await update_returning(
                self._db,
                table="users.users",
                row_id=user_id,
                changes=changes,
                columns=_USER_COLUMNS,
            )
        )

    async def upsert_admin(self, email: str, password_hash: str) -> None:
        """One statement, so workers starting together cannot race each other."""
        await self._db.execute(
            "INSERT INTO users.users AS u (email, password_hash, first_name, last_name, role)"
            " VALUES ($1, $2, 'Admin', 'Operator', 'admin')"
            " ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
            " role = 'admin', status = 'active', updated_at = now()",
            email,
            password_hash,
        )

    async def lock_active_admins(self) -> set[UUID]:
        """Lock every active administrator's row until the transaction ends.

        Two administrators demoting each other at once would each see the other still
        there; with the rows locked the second waits and then counts what the first left.
        """
        rows = await self._db.fetch(
            "SELECT id FROM users.users WHERE role = 'admin' AND status = 'active'"
            " ORDER BY id FOR UPDATE"
        )
        return {row["id"] for row in rows}

    async def delete(self, user_id: UUID) -> bool:
        return (
            await self._db.execute("DELETE FROM users.users WHERE id = $1", user_id) == "DELETE 1"
        )

    async def page(
        self, *, role: str | None, email: str | None, limit: int, offset: int
    ) -> tuple[list[User], int]:
        filters = Filters()
        filters.add_when("role = {}", role)
        filters.add_when("lower(email) = lower({})", email)
        rows, total = await fetch_page(
            self._db,
            columns=_USER_COLUMNS,
            table="users.users",
            filters=filters,
            order_by="created_at, id",
            limit=limit,
            offset=offset,
        )
        return [u for u in map(_user, rows) if u is not None], total


class RefreshTokenRepository:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add(
        self, user_id: UUID, token_hash: bytes, family_id: UUID, expires_at: datetime
    ) -> None:
        await self._db.execute(
            "INSERT INTO users.refresh_tokens (user_id, token_hash, family_id, expires_at)"
            " VALUES ($1, $2, $3, $4)",
            user_id,
            token_hash,
            family_id,
            expires_at,
        )

    async def revoke_if_active(self, token_hash: bytes) -> tuple[UUID, UUID] | None:
        """Revoke a live token; (user_id, family_id) if it was live, else None.

        The conditional UPDATE is the rotation's lock: of two concurrent uses of one token
        exactly one sees it live, the other is treated as reuse.
        """
        row = await self._db.fetchrow(
            "UPDATE users.refresh_tokens SET revoked_at = now()"
            " WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()"
            " RETURNING user_id, family_id",
            token_hash,
        )
        return None if row is None else (row["user_id"], row["family_id"])

    async def family_of_revoked(self, token_hash: bytes) -> UUID | None:
        family: UUID | None = await self._db.fetchval(
            "SELECT family_id FROM users.refresh_tokens"
            " WHERE token_hash = $1 AND revoked_at IS NOT NULL",
            token_hash,
        )
        return family

    async def revoke_family(self, family_id: UUID) -> None:
        await self._db.execute(
            "UPDATE users.refresh_tokens SET revoked_at = now()"
            " WHERE family_id = $1 AND revoked_at IS NULL",
            family_id,
        )

    async def delete_expired(self) -> int:
        """Remove tokens past their expiry: they can never be used or reused again, so
        keeping them would only grow the table (revoked-but-live ones stay for reuse
        detection until they expire)."""
        status = await self._db.execute("DELETE FROM users.refresh_tokens WHERE expires_at < now()")
        return int(status.split()[-1])


class LoginFailures:
    """users.login_failures: failed logins counted per bucket and time window.

    Logins lock these rows from many connections at once, each statement in a transaction
    of its own, so no statement may hold one lock while waiting for another in an order some
    other statement reverses: ``reserve`` locks its rows in bucket order, ``release`` and
    ``reset`` lock one bucket's rows at a time, and ``prune_before`` skips rows it would
    wait for. A release that visited two rows in its plan's order (a bitmap scan's is
    physical) deadlocked with counting, and six of twenty simultaneous logins answered 500.
    """

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def reserve(self, buckets: list[str], window: datetime) -> dict[str, int]:
        """Count one attempt in every bucket and return the new counts, atomically.

        The upsert takes each row's lock, in bucket order, so of N concurrent attempts each
        sees a distinct count 1..N: exactly the first ``limit`` of them may go on to the
        password check.
        """
        rows = await self._db.fetch(
            "INSERT INTO users.login_failures AS f (bucket, window_start, failures)"
            " SELECT bucket, $2, 1 FROM unnest($1::text[]) AS bucket ORDER BY bucket"
            " ON CONFLICT (bucket, window_start) DO UPDATE SET failures = f.failures + 1"
            " RETURNING bucket, failures",
            buckets,
            window,
        )
        return {row["bucket"]: row["failures"] for row in rows}

    async def release(self, buckets: list[str], window: datetime) -> None:
        """Give back one counted attempt (one that was refused or succeeded).

        A counter never goes below one (the table's CHECK): a row at one is removed instead,
        in the same statement (both parts see one snapshot, so exactly one of them matches).
        Two releases racing on a row at two may both see it at two and leave one: the error
        is on the safe side (one attempt too many counted until the window ends).
        """
        for bucket in buckets:  # one statement, and one row's lock, per bucket: see the class
            await self._db.execute(
                "WITH decremented AS (UPDATE users.login_failures SET failures = failures - 1"
                " WHERE bucket = $1 AND window_start = $2 AND failures > 1)"
                " DELETE FROM users.login_failures"
                " WHERE bucket = $1 AND window_start = $2 AND failures <= 1",
                bucket,
                window,
            )

    async def prune_before(self, window: datetime) -> None:
        # Old windows never count again; pruning on the (rare) failure path keeps the
        # table small without a scheduler. A row locked elsewhere is left for next time.
        await self._db.execute(
            "DELETE FROM users.login_failures AS f USING ("
            "SELECT bucket, window_start FROM users.login_failures"
            " WHERE window_start < $1 FOR UPDATE SKIP LOCKED) AS old"
            " WHERE f.bucket = old.bucket AND f.window_start = old.window_start",
            window,
        )

    async def reset(self, bucket: str) -> None:
        await self._db.execute("DELETE FROM users.login_failures WHERE bucket = $1", bucket)


class UsersUnitOfWork(UnitOfWork):
    """The users schema's repositories, working in one unit of work."""

    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    login_failures: LoginFailures

    def _open_repositories(self, db: Executor) -> None:
        self.users = UserRepository(db)
        self.refresh_tokens = RefreshTokenRepository(db)
        self.login_failures = LoginFailures(db)
