"""OWASP API8:2023 Security Misconfiguration and API9:2023 Improper Inventory Management."""

from __future__ import annotations

import re

import httpx
import pytest

from refarch.conformance.actors import Actor
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status
from refarch.conformance.testdata import MISSING_ID

pytestmark = [pytest.mark.layer("security"), pytest.mark.services("users", "catalog")]
#: what internals look like when they leak into a body: traces, SQL, paths, class names
INTERNALS = re.compile(
    r"Traceback|File \"|\.py\b|line \d+|Exception\b|asyncpg|psycopg|sqlalchemy|"
    r"\bSELECT\b|\bINSERT\b|\bUPDATE\b.*\bSET\b|\bFROM\b \w+\.|syntax error|site-packages|/usr/|uvicorn|starlette",
)
VERSION_LEAK = re.compile(r"\d+\.\d+")
EVIL_ORIGIN = "https://evil.example"


def _error_responses(api: ApiClient, alice: Actor) -> list[httpx.Response]:
    return [
        api.get(f"/products/{MISSING_ID}"),
        api.get("/products/not-a-uuid"),
        api.get("/products", params={"limit": "1; DROP TABLE products"}),
        api.get("/products", params={"q": "'\"\\%_*:&|!()"}),
        api.post(
            "/auth/login",
            content=b'{"email": "a@example.com", "password": ',
            headers={"Content-Type": "application/json"},
        ),
        api.post(
            "/auth/register",
            json={
                "email": "x\u0000@example.com",
                "password": "p" * 20,
                "first_name": "\ud7ff",
                "last_name": "\u202e",
            },
        ),
        api.get("/users/me", headers={"Authorization": "Bearer ' OR 1=1 --"}),
        api.patch("/users/me", json={"phone": ["not", "a", "string"]}, headers=alice.headers),
    ]


@pytest.mark.requirement("SEC-010")
def test_errors_reveal_no_internals(api: ApiClient, alice: Actor) -> None:
    for response in _error_responses(api, alice):
        expect(response.status_code < 500, "hostile input is refused, never a 5xx", response)
        leaked = INTERNALS.search(response.text)
        expect(
            leaked is None,
            "no stack trace, SQL, file path or class name in a body",
            response,
            f"found {leaked.group(0)!r}" if leaked else "",
        )


@pytest.mark.requirement("SEC-008")
def test_security_headers_are_set(api: ApiClient, alice: Actor) -> None:
    for response in (
        api.get("/products"),
        api.get(f"/products/{MISSING_ID}"),
        api.get("/users/me", headers=alice.headers),
    ):
        expect(
            response.headers.get("x-content-type-options", "").lower() == "nosniff",
            "X-Content-Type-Options: nosniff",
            response,
        )
        for header in ("server", "x-powered-by"):
            value = response.headers.get(header, "")
            expect(
                not VERSION_LEAK.search(value),
                f"no software version in {header}",
                response,
                f"{header}: {value!r}",
            )


@pytest.mark.requirement("SEC-009")
def test_cors_never_trusts_every_origin_with_credentials(api: ApiClient, alice: Actor) -> None:
    preflight = api.options(
        "/users/me",
        headers={
            "Origin": EVIL_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    simple = api.get("/users/me", headers={"Origin": EVIL_ORIGIN, **alice.headers})
    for response in (preflight, simple):
        origin = response.headers.get("access-control-allow-origin")
        credentials = response.headers.get("access-control-allow-credentials", "").lower() == "true"
        expect(
            not (origin == "*" and credentials),
            "never Allow-Origin * with Allow-Credentials true",
            response,
        )
        expect(
            origin != EVIL_ORIGIN,
            "an origin that is not configured is never echoed back",
            response,
            f"Access-Control-Allow-Origin: {origin!r}",
        )


@pytest.mark.requirement("SEC-012", "API-008")
@pytest.mark.parametrize(
    "path",
    [
        "/debug",
        "/admin",
        "/admin/users",
        "/internal/health",
        "/export/users",
        "/openapi.json",
        "/swagger",
        "/graphql",
        "/actuator/env",
        "/.env",
        "/../v0/products",
        "/v2/products",
    ],
)
def test_undocumented_routes_are_not_reachable(api: ApiClient, admin: Actor, path: str) -> None:
    # as the admin, so a hidden route cannot hide behind 401/403
    response = api.get(path, headers=admin.headers)
    expect_status(response, 404, 405, why=f"{path} is in no v1 specification")
