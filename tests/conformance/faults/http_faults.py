"""Faults made by rewriting HTTP traffic: what a client would see from a broken service."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import jwt

from refarch.specs import operations
from tests.conformance.faults.asgi import Exchange, Fault, HttpRequest, HttpResponse

__all__ = ["HTTP_FAULTS"]

FAKE_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
TRACE = (
    'Traceback (most recent call last):\n  File "/srv/refarch/orders/service.py", line 88, in place_order\n'
    "asyncpg.exceptions.UniqueViolationError: SELECT id FROM orders.orders WHERE ..."
)


def _is_error(response: HttpResponse) -> bool:
    return response.status >= 400


def _map_users(value: Any, change: Any) -> Any:
    """Apply ``change`` to every User object (has email and role) inside a JSON document."""
    if isinstance(value, dict):
        value = {k: _map_users(v, change) for k, v in value.items()}
        if "email" in value and "role" in value:
            change(value)
        return value
    if isinstance(value, list):
        return [_map_users(v, change) for v in value]
    return value


class LeaksPasswordHash(Fault):
    name, requirement, select = "leaks-password-hash", "USR-005", ("USR-005",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if response.status < 300 and request.path.startswith("/users"):
            response.set_json(
                _map_users(response.json(), lambda user: user.update(password_hash=FAKE_HASH))
            )


class CreatedAnswers200(Fault):
    name, requirement, select = "created-answers-200", "AUTH-001", ("AUTH-001",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if request.path == "/auth/register" and response.status == 201:
            response.status = 200


class DropsRequiredField(Fault):
    name, requirement, select = "drops-required-field", "CAT-011", ("CAT-011",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if (
            request.method == "GET"
            and re.fullmatch(r"/products/[^/]+", request.path)
            and response.status == 200
        ):
            body = response.json()
            body.pop("updated_at", None)
            response.set_json(body)


class ErrorsAsPlainJson(Fault):
    name, requirement, select = "errors-as-plain-json", "API-001", ("API-001",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if _is_error(response):
            response.headers["content-type"] = "application/json"


class ListsAsPlainText(Fault):
    """Serves a documented JSON body with the wrong media type: only the schema-driven
    property tests know every operation's documented content types."""

    name, requirement, select = "success-with-wrong-content-type", "API-013", ("API-013",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if request.method == "GET" and request.path == "/categories" and response.status == 200:
            response.headers["content-type"] = "text/plain; charset=utf-8"


class CrashesOnAstralCharacters(Fault):
    name, requirement, select = "500-on-unusual-unicode", "SEC-011", ("SEC-011",)

    async def handle(self, request: HttpRequest, exchange: Exchange) -> HttpResponse:
        # JSON may escape the character (\ud835\udd18): look at the decoded document
        document = json.dumps(request.json(), ensure_ascii=False)
        if any(ord(ch) > 0xFFFF for ch in document):
            return HttpResponse(500, {"content-type": "text/plain"}, b"Internal Server Error")
        return await exchange.call(request)


class IgnoresPaginationMaximum(Fault):
    name, requirement, select = "ignores-pagination-maximum", "API-010", ("API-010",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if request.query.get("limit", "").isdigit() and int(request.query["limit"]) > 100:
            request.query["limit"] = "100"


class StackTraceInErrors(Fault):
    name, requirement, select = "stack-trace-in-errors", "SEC-010", ("SEC-010",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        body = response.json()
        if _is_error(response) and isinstance(body, dict):
            body["detail"] = f"{body.get('detail', '')}\n{TRACE}"
            response.set_json(body)


class NoLoginThrottling(Fault):
    name, requirement, select = "no-login-throttling", "AUTH-012", ("AUTH-012",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if request.path == "/auth/login" and response.status == 429:
            response.status = 401
            response.headers.pop("retry-after", None)
            response.set_json(
                {
                    "type": "about:blank",
                    "title": "Unauthorized",
                    "status": 401,
                    "detail": "Invalid credentials.",
                }
            )


def _claims_unverified(token: str) -> dict[str, Any] | None:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class AcceptsTamperedTokens(Fault):
    """Re-signs any decodable token the server would refuse: as if signatures went unchecked."""

    name, requirement, select = "accepts-tampered-token", "AUTH-009", ("AUTH-009",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        claims = _claims_unverified(_bearer(request))
        if claims is not None:
            token = jwt.encode(claims, exchange.settings.signing_key, algorithm="HS256")
            request.headers["authorization"] = f"Bearer {token}"


def _admin_routes() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (op.method, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", op.path) + "$"))
        for op in operations()
        if op.admin_only
    ]


class UserCallsAdminOperations(Fault):
    """Treats a customer's token as an admin's on admin-only operations: a missing role check."""

    name, requirement, select = "user-calls-admin-operation", "SEC-005", ("SEC-005",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if not any(m == request.method and p.match(request.path) for m, p in _admin_routes()):
            return
        try:
            claims = jwt.decode(
                _bearer(request), exchange.settings.signing_key, algorithms=["HS256"],
                audience=exchange.settings.jwt_audience,
            )  # fmt: skip
        except jwt.PyJWTError:
            return
        claims["role"] = "admin"
        token = jwt.encode(claims, exchange.settings.signing_key, algorithm="HS256")
        request.headers["authorization"] = f"Bearer {token}"

    def patch_services(self, services: Any, active: Callable[[], bool]) -> None:
        # the server decides the role from the account, not the token (USR-013): the
        # missing role check must also trust the token's role
        current_principal = services.current_principal

        async def trusting_the_token(claimed: Any) -> Any:
            found = await current_principal(claimed)
            return claimed if active() and found is not None else found

        services.current_principal = trusting_the_token


class IgnoresIdempotencyKey(Fault):
    name, requirement, select = "ignores-idempotency-key", "ORD-010", ("ORD-010",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        request.headers.pop("idempotency-key", None)


class ServesDeletedProducts(Fault):
    """A stale cache: deleted products keep being served from it."""

    name, requirement, select = "serves-deleted-resource", "CAT-010", ("CAT-010",)

    def __init__(self) -> None:
        self.cache: dict[str, HttpResponse] = {}

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if request.method != "GET" or not request.path.startswith("/products/"):
            return
        if response.status == 200:
            self.cache[request.path] = HttpResponse(200, dict(response.headers), response.body)
        elif response.status == 404 and request.path in self.cache:
            cached = self.cache[request.path]
            response.status, response.headers, response.body = (
                200,
                dict(cached.headers),
                cached.body,
            )


class NoAllowHeader(Fault):
    name, requirement, select = "405-without-allow", "API-002", ("API-002",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if response.status == 405:
            response.headers.pop("allow", None)


class WildcardCorsWithCredentials(Fault):
    name, requirement, select = "wildcard-cors-with-credentials", "SEC-009", ("SEC-009",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        response.headers["access-control-allow-origin"] = "*"
        response.headers["access-control-allow-credentials"] = "true"


class AcceptsDuplicateEmail(Fault):
    """Registers a duplicate under a mangled address instead of refusing it."""

    name, requirement, select = "accepts-duplicate-email", "USR-001", ("USR-001",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if request.path == "/auth/register" and response.status == 409:
            body = request.json()
            body["email"] = f"dup-{uuid.uuid4().hex[:8]}-{body['email']}"
            request.set_json(body)
            retried = await exchange.call(request)
            response.status, response.headers, response.body = (
                retried.status,
                retried.headers,
                retried.body,
            )


class NoBearerChallenge(Fault):
    name, requirement, select = "401-without-www-authenticate", "AUTH-006", ("AUTH-006",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if response.status == 401:
            response.headers.pop("www-authenticate", None)


class AcceptsNonPositiveQuantities(Fault):
    """Quietly "fixes" a zero or negative quantity instead of refusing the order."""

    name, requirement, select = "accepts-negative-quantity", "ORD-014", ("ORD-014",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        body = request.json()
        if request.path == "/orders" and isinstance(body, dict):
            for line in body.get("items") or []:
                if (
                    isinstance(line, dict)
                    and isinstance(line.get("quantity"), int)
                    and line["quantity"] < 1
                ):
                    line["quantity"] = 1
            request.set_json(body)


class IgnoresUnknownProfileMembers(Fault):
    """Drops role, status and other undocumented members silently instead of refusing them."""

    name, requirement, select = "mass-assignment-silently-ignored", "USR-007", ("USR-007",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        body = request.json()
        if request.path == "/users/me" and request.method == "PATCH" and isinstance(body, dict):
            request.set_json(
                {k: v for k, v in body.items() if k in {"first_name", "last_name", "phone"}}
            )


class TrustsClientPrices(Fault):
    """Computes the total from prices the client sent."""

    name, requirement, select = "total-from-client-prices", "ORD-001", ("ORD-001",)

    async def handle(self, request: HttpRequest, exchange: Exchange) -> HttpResponse:
        body = request.json()
        if request.path != "/orders" or request.method != "POST" or not isinstance(body, dict):
            return await exchange.call(request)
        claimed = body.pop("total", None)
        for line in body.get("items") or []:
            if isinstance(line, dict):
                line.pop("unit_price", None)
        request.set_json(body)
        response = await exchange.call(request)
        order = response.json()
        if claimed is not None and response.status == 201 and isinstance(order, dict):
            order["total"] = claimed
            response.set_json(order)
        return response


class RevealsServerVersion(Fault):
    name, requirement, select = "server-version-header", "SEC-008", ("SEC-008",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        response.headers["server"] = "uvicorn/0.30.6 CPython/3.11.7"
        response.headers["x-powered-by"] = "Starlette 0.47.1"


class ServesADebugRoute(Fault):
    name, requirement, select = "undocumented-debug-route", "SEC-012", ("SEC-012",)

    async def handle(self, request: HttpRequest, exchange: Exchange) -> HttpResponse:
        if request.path == "/debug":
            return HttpResponse(200, {"content-type": "application/json"}, b'{"settings": "..."}')
        return await exchange.call(request)


HTTP_FAULTS: list[Fault] = [
    LeaksPasswordHash(),
    CreatedAnswers200(),
    DropsRequiredField(),
    ErrorsAsPlainJson(),
    ListsAsPlainText(),
    CrashesOnAstralCharacters(),
    IgnoresPaginationMaximum(),
    StackTraceInErrors(),
    NoLoginThrottling(),
    AcceptsTamperedTokens(),
    UserCallsAdminOperations(),
    IgnoresIdempotencyKey(),
    ServesDeletedProducts(),
    NoAllowHeader(),
    WildcardCorsWithCredentials(),
    AcceptsDuplicateEmail(),
    NoBearerChallenge(),
    AcceptsNonPositiveQuantities(),
    IgnoresUnknownProfileMembers(),
    TrustsClientPrices(),
    RevealsServerVersion(),
    ServesADebugRoute(),
]
