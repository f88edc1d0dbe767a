"""Password hashing with argon2id at deliberately chosen parameters.

Parameters come from Settings (default m=19 MiB, t=2, p=1: the OWASP minimum profile,
~15 ms per verify on a 2-core machine versus ~93 ms for argon2-cffi's defaults; ADR
0011). Hashing runs in a worker thread (argon2-cffi releases the GIL) so one login
does not stall every other request on the event loop.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from refarch.reference_impl.settings import Settings

__all__ = ["PasswordHashing"]


class PasswordHashing:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        # Verified against when the email is unknown, so that answer takes as long as a
        # wrong password and response timing does not reveal which accounts exist.
        self._dummy_hash = self._hasher.hash("refarch-timing-equaliser")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False
