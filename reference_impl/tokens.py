"""Access tokens: short-lived JWTs, HS256 only, with iss, aud, exp, iat, sub, role and jti.

Issued by the users service, verified by the gateway layer on every secured request.
Only HS256 is accepted, so ``alg: none`` and algorithm-confusion tokens are refused.
"""

from __future__ import annotations

import time
import uuid
from uuid import UUID

import jwt

from refarch.reference_impl.errors import Unauthenticated
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.settings import Settings

__all__ = ["issue_access_token", "verify_access_token"]

_ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "iss", "aud", "sub"]


def issue_access_token(settings: Settings, user_id: UUID, role: str) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "role": role,
        "iat": now,
        "exp": now + settings.access_token_ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.signing_key, algorithm=_ALGORITHM), settings.access_token_ttl


def verify_access_token(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.signing_key,
            algorithms=[_ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED},
        )
        role = claims.get("role")
        if role not in ("customer", "admin"):
            raise jwt.InvalidTokenError("unknown role")
        return Principal(user_id=UUID(claims["sub"]), role=role)
    except (jwt.InvalidTokenError, ValueError):
        # one message for every reason: expired, tampered, wrong audience, alg none...
        raise Unauthenticated(
            "The access token is invalid or expired.", invalid_token=True
        ) from None
