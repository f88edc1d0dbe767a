"""Bearer authentication and the admin-role check, applied from the spec's ``security``.

Operations with a non-empty ``security`` requirement need a valid access token; those
marked ``x-required-role: admin`` also need the admin role, which is decided once, by the
account's current role (``current_account``), never by the role the token claims. Handlers
never see a request that fails either check.
"""

from __future__ import annotations

from collections.abc import Mapping

from refarch.reference_impl.errors import Unauthenticated
from refarch.reference_impl.platform.contract import Backend
from refarch.reference_impl.platform.problems import HttpProblem, unauthenticated
from refarch.reference_impl.platform.routing import Route
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.settings import Settings
from refarch.reference_impl.tokens import verify_access_token

__all__ = ["authenticate", "current_account"]

_MAX_TOKEN_LENGTH = 4096  # a JWT we issue is ~300 bytes; longer is not ours


def authenticate(route: Route, headers: Mapping[str, str], settings: Settings) -> Principal | None:
    """The caller the token names, for a secured operation; ``None`` for a public one."""
    if not route.requires_auth:
        return None
    authorization = headers.get("authorization")
    if not authorization:
        raise unauthenticated("This operation requires a bearer token.", invalid_token=False)
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > _MAX_TOKEN_LENGTH:
        raise unauthenticated(
            "The Authorization header must be 'Bearer <token>'.", invalid_token=True
        )
    try:
        principal = verify_access_token(settings, token)
    except Unauthenticated as exc:
        raise unauthenticated(exc.detail, invalid_token=True) from None
    return principal


async def current_account(route: Route, claimed: Principal, backend: Backend | None) -> Principal:
    """The caller as their account is now, asked of the backend on every authenticated
    request: a token whose account was suspended or deleted since it was issued is refused,
    and admin-only operations are decided by the current role, not the token's."""
    assert backend is not None, "requests are served only after start-up"
    current = await backend.current_principal(claimed)
    if current is None:
        raise unauthenticated(
            "The account this token was issued for is suspended or no longer exists.",
            invalid_token=True,
        )
    if route.admin_only and not current.is_admin:
        raise HttpProblem(403, "Forbidden", "This operation is reserved for administrators.")
    return current
