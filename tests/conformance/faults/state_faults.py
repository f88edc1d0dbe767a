"""Faults in the account, stock and order rules that hold state consistent (the hardening
checks in ``conformance/suite/test_hardening_state.py``).

Each wraps a method of a service object that ``build_services`` returned and acts only
while the switch names it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.users.throttle import LoginAttempt
from tests.conformance.faults.asgi import Exchange, Fault, HttpRequest

__all__ = ["STATE_FAULTS"]


class AdminMayLockThemselfOut(Fault):
    """The self-lockout check forgets who is asking (another admin's id is passed on)."""

    name, requirement, select = "admin-may-lock-themself-out", "USR-012", ("USR-012",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        admin_update = services.users.admin_update

        async def forgetful(actor: Principal, user_id: UUID, changes: dict[str, Any]) -> Any:
            if active():
                actor = Principal(user_id=uuid.uuid4(), role=actor.role)
            return await admin_update(actor, user_id, changes)

        services.users.admin_update = forgetful  # type: ignore[method-assign]


#: Characters that render as nothing (a subset of what the specs' name patterns refuse).
_INVISIBLE = set("\u00a0\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
_INVISIBLE |= set("\u2060\u2061\u2062\u2063\u3000\u3164\ufeff")


class AcceptsInvisibleNames(Fault):
    """Stores a name made only of invisible characters (here: swaps in a visible one before
    the schema sees it, so the request succeeds as if the pattern allowed it)."""

    def __init__(
        self, name: str, requirement: str, paths: tuple[str, ...], fields: tuple[str, ...]
    ):
        self.name, self.requirement, self.select = name, requirement, (requirement,)
        self._paths, self._fields = paths, fields

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        body = request.json()
        if request.path not in self._paths or not isinstance(body, dict):
            return
        for field in self._fields:
            value = body.get(field)
            if isinstance(value, str) and value and set(value) <= _INVISIBLE:
                body[field] = "Invisible"
        request.set_json(body)


class StockPassesItsMaximum(Fault):
    """Adds the delta without looking at the maximum, as before the cap existed; the
    database's CHECK then fails the statement (the 500 the attack found)."""

    name, requirement, select = "stock-passes-its-maximum", "CAT-013", ("CAT-013",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        adjust_stock = services.catalog.adjust_stock
        pool = services.pool

        async def unchecked(product_id: UUID, delta: int) -> Any:
            if active():
                await pool.execute(
                    "UPDATE catalog.products SET stock = stock + $2 WHERE id = $1",
                    product_id,
                    delta,
                )
                return await services.catalog.get_product(product_id)
            return await adjust_stock(product_id, delta)

        services.catalog.adjust_stock = unchecked  # type: ignore[method-assign]


class ThrottleChecksThenCounts(Fault):
    """The throttle reads the counters, lets the attempt through, and counts it only
    later: simultaneous guesses all pass the check before any is counted."""

    name, requirement, select = "login-throttle-checks-then-counts", "AUTH-012", ("AUTH-012",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        throttle = services.users._throttle
        begin = throttle.begin

        async def check_then_count(failures: Any, account: str, ip: str) -> Any:
            if active():
                window = throttle._window(time.time())
                # a plain read, as the old check was: counting and giving back would let the
                # concurrent attempts see each other's counts and throttle most of them
                seen = await failures._db.fetchval(
                    "SELECT failures FROM users.login_failures"
                    " WHERE bucket = $1 AND window_start = $2",
                    account,
                    window,
                )
                if (seen or 0) >= throttle.account_limit:
                    return await begin(failures, account, ip)
                await asyncio.sleep(1.5)  # the others pass the same check meanwhile
                attempt = LoginAttempt(account, ip, window)
                await failures.reserve([account, ip], window)
                return attempt
            return await begin(failures, account, ip)

        object.__setattr__(throttle, "begin", check_then_count)


class TrustsTheTokenAlone(Fault):
    """Decides who the caller is from the token alone, as if the account never changed."""

    name, requirement, select = "trusts-stale-token-claims", "USR-013", ("USR-013",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        current_principal = services.current_principal

        async def from_token(claimed: Principal) -> Principal | None:
            return claimed if active() else await current_principal(claimed)

        services.current_principal = from_token  # type: ignore[method-assign]


class _LimitUnlessFaulty:
    """Stands in for the pending-order limit: compares like it while the fault is off and
    like infinity while it is on (the service compares ``count >= limit``)."""

    def __init__(self, limit: int, active: Callable[[], bool]) -> None:
        self._limit, self._active = limit, active

    def __le__(self, count: int) -> bool:
        return not self._active() and self._limit <= count

    def __str__(self) -> str:
        return str(self._limit)

    def __int__(self) -> int:
        return self._limit


class NoPendingOrderLimit(Fault):
    """Lets one customer hold any number of pending orders (stock hoarding)."""

    name, requirement, select = "no-pending-order-limit", "ORD-016", ("ORD-016",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        orders = services.orders
        orders._pending_limit = _LimitUnlessFaulty(orders._pending_limit, active)  # type: ignore[assignment]


STATE_FAULTS: list[Fault] = [
    AdminMayLockThemselfOut(),
    AcceptsInvisibleNames(
        "accepts-invisible-person-names",
        "USR-004",
        ("/auth/register", "/users/me"),
        ("first_name", "last_name"),
    ),
    AcceptsInvisibleNames(
        "accepts-invisible-product-names", "CAT-012", ("/products", "/categories"), ("name",)
    ),
    StockPassesItsMaximum(),
    ThrottleChecksThenCounts(),
    TrustsTheTokenAlone(),
    NoPendingOrderLimit(),
]
