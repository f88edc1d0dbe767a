"""Bearer authentication from the spec's security: 401 with the right challenge, 403 for
admin-only operations (AUTH: invalid tokens answer 401 with error="invalid_token")."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable

import httpx
import jwt
import pytest

from tests.support.server import ServerHandle

MISSING = 'Bearer realm="refarch"'
INVALID = 'Bearer realm="refarch", error="invalid_token"'


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(server: ServerHandle, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": server.settings.jwt_issuer,
        "aud": server.settings.jwt_audience,
        "sub": str(uuid.uuid4()),
        "role": "admin",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return claims


def _delete_widget(server: ServerHandle, authorization: str | None) -> httpx.Response:
    headers = {"authorization": authorization} if authorization is not None else {}
    return httpx.delete(f"{server.api_url}/widgets/{uuid.uuid4()}", headers=headers)


def test_missing_token_is_401_with_a_bare_bearer_challenge(widget_server: ServerHandle) -> None:
    response = _delete_widget(widget_server, None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == MISSING
    assert response.headers["content-type"] == "application/problem+json"


def _signed(server: ServerHandle, **overrides: object) -> str:
    key = server.settings.signing_key
    return jwt.encode(_claims(server, **overrides), key, algorithm="HS256")


def _alg_none(server: ServerHandle) -> str:
    header = _b64(b'{"alg":"none","typ":"JWT"}')
    payload = _b64(json.dumps(_claims(server)).encode())
    return f"{header}.{payload}."


def _tampered(server: ServerHandle) -> str:
    header, _, signature = _signed(server, role="customer").split(".")
    forged = _b64(json.dumps(_claims(server, role="admin")).encode())
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "make_authorization",
    [
        pytest.param(lambda s: "Bearer garbage", id="garbage"),
        pytest.param(lambda s: "Basic dXNlcjpwYXNz", id="wrong-scheme"),
        pytest.param(lambda s: f"Bearer {_alg_none(s)}", id="alg-none"),
        pytest.param(lambda s: f"Bearer {_tampered(s)}", id="tampered-signature"),
        pytest.param(lambda s: f"Bearer {_signed(s, exp=int(time.time()) - 60)}", id="expired"),
        pytest.param(lambda s: f"Bearer {_signed(s, aud='someone-else')}", id="wrong-audience"),
        pytest.param(
            lambda s: "Bearer " + jwt.encode(_claims(s), b"k" * 48, algorithm="HS256"),
            id="foreign-key",
        ),
    ],
)
@pytest.mark.requirement("AUTH-010", "AUTH-011")
def test_invalid_tokens_are_401_invalid_token(
    widget_server: ServerHandle, make_authorization: Callable[[ServerHandle], str]
) -> None:
    response = _delete_widget(widget_server, make_authorization(widget_server))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID
    assert response.json()["status"] == 401


def test_admin_only_operation_is_403_for_a_customer(
    widget_server: ServerHandle, customer_token: str
) -> None:
    response = _delete_widget(widget_server, f"Bearer {customer_token}")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_admin_only_operation_runs_for_an_admin(
    widget_server: ServerHandle, admin_token: str
) -> None:
    assert _delete_widget(widget_server, f"Bearer {admin_token}").status_code == 204


def test_auth_is_checked_before_the_body_is_read(widget_server: ServerHandle) -> None:
    response = httpx.post(f"{widget_server.api_url}/widgets", content=b"{not json")
    assert response.status_code == 401
