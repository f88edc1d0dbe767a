"""Access tokens: only HS256 tokens we signed, for our audience, unexpired, are accepted."""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path

import jwt
import pytest

from refarch.reference_impl.errors import Unauthenticated
from refarch.reference_impl.settings import Settings
from refarch.reference_impl.tokens import issue_access_token, verify_access_token


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path)


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims(settings: Settings, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(uuid.uuid4()),
        "role": "customer",
        "iat": now,
        "exp": now + 60,
    }
    return {**base, **overrides}


def test_round_trip_carries_subject_and_role(settings: Settings) -> None:
    user_id = uuid.uuid4()
    token, ttl = issue_access_token(settings, user_id, "admin")
    principal = verify_access_token(settings, token)
    assert (principal.user_id, principal.role, ttl) == (user_id, "admin", settings.access_token_ttl)


def forge(settings: Settings, kind: str) -> str:
    key = settings.signing_key
    if kind == "alg-none":
        return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(settings))}."
    if kind == "tampered":
        token = jwt.encode(claims(settings), key, algorithm="HS256")
        head, _, sig = token.split(".")
        return f"{head}.{b64(claims(settings, role='admin'))}.{sig}"
    if kind == "expired":
        return jwt.encode(claims(settings, exp=int(time.time()) - 5), key, algorithm="HS256")
    if kind == "wrong-audience":
        return jwt.encode(claims(settings, aud="someone-else"), key, algorithm="HS256")
    if kind == "wrong-key":
        return jwt.encode(claims(settings), b"x" * 48, algorithm="HS256")
    if kind == "unknown-role":
        return jwt.encode(claims(settings, role="root"), key, algorithm="HS256")
    if kind == "no-exp":
        body = claims(settings)
        body.pop("exp")
        return jwt.encode(body, key, algorithm="HS256")
    return "garbage"


@pytest.mark.parametrize(
    "kind",
    [
        "alg-none",
        "tampered",
        "expired",
        "wrong-audience",
        "wrong-key",
        "unknown-role",
        "no-exp",
        "garbage",
    ],
)
@pytest.mark.requirement("AUTH-010", "AUTH-011")
def test_forged_or_stale_tokens_are_refused_as_invalid_token(settings: Settings, kind: str) -> None:
    with pytest.raises(Unauthenticated) as refused:
        verify_access_token(settings, forge(settings, kind))
    assert refused.value.invalid_token
