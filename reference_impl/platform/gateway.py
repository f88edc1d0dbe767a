"""The HTTP pipeline, as plain ASGI: route, authenticate, read, validate, call, answer.

Plain ASGI rather than Starlette's Request/Response objects because this is the hot path
(ADR 0007: Starlette alone costs 34 µs of CPU per request, bare ASGI 20 µs). Every response,
whatever produced it, leaves through :meth:`Gateway._send` and so carries ``X-Request-ID``
and the security headers, and every error leaves as problem+json built by
``problems.problem_for``.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote_from_bytes
from uuid import UUID

import orjson

from refarch.reference_impl.errors import DomainError, InvalidInput, field_error
from refarch.reference_impl.events import current_request_id
from refarch.reference_impl.platform.auth import authenticate, current_account
from refarch.reference_impl.platform.body import ClientDisconnected, media_type_of, read_json_body
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Backend
from refarch.reference_impl.platform.logs import log_request
from refarch.reference_impl.platform.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from refarch.reference_impl.platform.metrics import Metrics
from refarch.reference_impl.platform.problems import HttpProblem, Problem, problem_for
from refarch.reference_impl.platform.responses import ResponseContractViolation
from refarch.reference_impl.platform.routing import Route, RouteTable
from refarch.reference_impl.platform.validation import FieldError
from refarch.reference_impl.settings import Settings

if TYPE_CHECKING:
    import asyncpg

__all__ = ["Gateway", "Headers", "RuntimeState"]

log = logging.getLogger("refarch.reference_impl.gateway")

Scope = dict[str, Any]
Receive = Any
Send = Any

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Sent on every response. No CORS headers at all: browsers then refuse cross-origin reads,
# the safe default for an API whose clients are servers; a deployment opts in explicitly.
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_NO_STORE = (b"cache-control", b"no-store")
_JSON = b"application/json"
_PROBLEM_JSON = b"application/problem+json"
_UNMATCHED = "unmatched"


def _json_default(value: Any) -> Any:
    """orjson encodes ``uuid.UUID`` natively but not subclasses such as the UUIDs asyncpg
    returns from queries; handlers may pass those straight through."""
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _instance(scope: Scope) -> str:
    """The request path percent-encoded as received: a valid URI reference for a problem's
    ``instance`` whatever bytes the client sent (the decoded path may not be one)."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    return quote_from_bytes(raw, safe="/%:@!$&'()*+,;=-._~")


def _headers_as_sent(extra: dict[str, str], request_id: str) -> dict[str, str]:
    """The headers ``_send`` will add to a response, by lower-case name (for checking)."""
    sent = {"x-request-id": request_id, "cache-control": "no-store"}
    sent.update((name.lower(), value) for name, value in extra.items())
    return sent


def _name_wire_fields(exc: InvalidInput, route: Route) -> None:
    """Rename the domain's field names in ``exc`` to where they were in this request."""
    errors = exc.extensions.get("errors")
    if errors:
        located = []
        for error in errors:
            location, pointer = route.wire_field(error["field"])
            located.append({"in": location, "field": pointer, "message": error["message"]})
        exc.extensions["errors"] = located


def _without_body(send: Send) -> Send:
    """``send`` for a HEAD request: headers (Content-Length included) as GET's, no body."""

    async def send_head(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head


class Headers(dict[str, str]):
    """Request headers with lower-case names; lookups ignore case (HTTP names are
    case-insensitive, and ASGI servers already lower-case them)."""

    __slots__ = ()

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())


@dataclass(slots=True)
class RuntimeState:
    """What the lifespan opens and the pipeline uses."""

    pool: asyncpg.Pool | None = None
    backend: Backend | None = None


_CONTRACT_BREACH = Problem(
    500,
    "Internal server error",
    "The server produced a response that breaks its own contract.",
)


class Gateway:
    def __init__(
        self, table: RouteTable, settings: Settings, metrics: Metrics, state: RuntimeState
    ) -> None:
        self.table = table
        self.settings = settings
        self.metrics = metrics
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = Headers(
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
        )
        incoming_id = headers.get("x-request-id")
        request_id = (
            incoming_id
            if incoming_id is not None and _REQUEST_ID.fullmatch(incoming_id)
            else os.urandom(16).hex()
        )
        # Events written while handling this request record its id (each request runs in
        # a task of its own, so the value never leaks into another request).
        current_request_id.set(request_id)
        method: str = scope["method"]
        path: str = scope["path"]
        if method == "HEAD":  # RFC 9110 9.3.2: GET's status and headers, without the body
            send = _without_body(send)
        operation_id = _UNMATCHED
        status = 500
        try:
            on_metrics_port = self._on_metrics_port(scope)
            if path == "/metrics" and (on_metrics_port or self.settings.metrics_port is None):
                operation_id = "metrics"
                status = await self._metrics(method, request_id, send)
                return
            if on_metrics_port:
                raise HttpProblem(404, "Not found", "Only /metrics is served on the metrics port.")
            match = self.table.match("GET" if method == "HEAD" else method, path)
            if match is None:
                raise HttpProblem(
                    404, "Not found", f"No operation is served at {_instance(scope)}."
                )
            route = match.route
            if route is None:
                raise HttpProblem(
                    405,
                    "Method not allowed",
                    f"{method} is not allowed on {_instance(scope)}.",
                    headers={"Allow": ", ".join(match.allowed)},
                )
            operation_id = route.operation_id
            response = await self._call(
                route, match.path_params, scope, receive, headers, request_id
            )
            status = await self._send_api_response(route, response, request_id, send)
        except ClientDisconnected:
            status = 499  # nginx's convention for "client closed the request"
        except ResponseContractViolation as exc:
            # only with validate_responses (always on in tests): a bug must fail loudly
            log.error(str(exc), extra={"fields": {"request_id": request_id}})
            status = 500
            await self._send_problem(_CONTRACT_BREACH, scope, request_id, send)
        except Exception as exc:
            problem = problem_for(exc, request_id=request_id)
            status = problem.status
            await self._send_problem(problem, scope, request_id, send)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe(operation_id, method, status, elapsed)
            logged_path = path if path.isascii() else _instance(scope)
            log_request(request_id, operation_id, method, logged_path, status, elapsed * 1000)

    async def _call(
        self,
        route: Route,
        path_values: dict[str, str],
        scope: Scope,
        receive: Receive,
        headers: Headers,
        request_id: str,
    ) -> ApiResponse:
        principal = authenticate(route, headers, self.settings)
        if principal is not None:  # the account as it is now decides (USR-013)
            principal = await current_account(route, principal, self.state.backend)
        errors: list[FieldError] = []
        path_params, found = route.path_params.extract(
            lambda name: [path_values[name]] if name in path_values else []
        )
        errors += found
        raw_query: bytes = scope["query_string"]
        query_values = (
            parse_qs(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else {}
        )
        query, found = route.query_params.extract(lambda name: query_values.get(name, []))
        errors += found
        _, found = route.header_params.extract(
            lambda name: [headers[name]] if name in headers else []
        )
        errors += found
        body = await self._body(route, receive, headers, errors)
        if errors:
            raise HttpProblem(
                422,
                "Unprocessable content",
                "The request is invalid: each entry in errors names a field and what is wrong with it.",
                errors=errors,
            )
        client = scope.get("client")
        request = ApiRequest(
            operation_id=route.operation_id,
            path_params=path_params,
            query=query,
            headers=headers,
            body=body,
            principal=principal,
            request_id=request_id,
            client_ip=client[0] if client else "",
        )
        try:
            return await route.handler(request)
        except DomainError as exc:
            if isinstance(exc, InvalidInput):
                _name_wire_fields(exc, route)
            if self.settings.validate_responses:
                problem = problem_for(exc, request_id=request_id)
                route.responses.check(
                    problem.status,
                    problem.body(instance=_instance(scope), request_id=request_id),
                    _headers_as_sent(problem.headers, request_id),
                )
            raise

    async def _body(
        self, route: Route, receive: Receive, headers: Headers, errors: list[FieldError]
    ) -> Any:
        if route.body is None:
            return None
        content_length = headers.get("content-length")
        has_body = content_length not in (None, "0") or "transfer-encoding" in headers
        # only what the spec declares: application/evil+json is not application/json
        if has_body and media_type_of(headers.get("content-type", "")) not in route.media_types:
            raise HttpProblem(
                415,
                "Unsupported media type",
                f"Send the request body as {' or '.join(sorted(route.media_types))}.",
            )
        body = (
            await read_json_body(
                receive, limit=self.settings.body_limit_bytes, content_length=content_length
            )
            if has_body
            else ...
        )
        if body is ...:
            if route.body_required:
                errors.append(field_error("body", [], "is required"))
            return None
        if not route.body.is_valid(body):
            errors += route.body.errors(body)
            return body
        return route.body.normalize(body)

    async def _send_api_response(
        self, route: Route, response: ApiResponse, request_id: str, send: Send
    ) -> int:
        body = b"" if response.body is None else orjson.dumps(response.body, default=_json_default)
        if self.settings.validate_responses:
            route.responses.check(
                response.status,
                None if response.body is None else orjson.loads(body),
                _headers_as_sent(response.headers, request_id),
            )
        content_type: bytes | None = None
        if body:
            content_type = _PROBLEM_JSON if response.status >= 400 else _JSON
        await self._send(send, response.status, body, content_type, request_id, response.headers)
        return response.status

    async def _send_problem(
        self, problem: Problem, scope: Scope, request_id: str, send: Send
    ) -> None:
        body = orjson.dumps(problem.body(instance=_instance(scope), request_id=request_id))
        await self._send(send, problem.status, body, _PROBLEM_JSON, request_id, problem.headers)

    def _on_metrics_port(self, scope: Scope) -> bool:
        """With a separate metrics listener, /metrics lives there and nowhere else, so an
        ingress that reaches the API port can never expose it."""
        if self.settings.metrics_port is None:
            return False
        server = scope.get("server")
        return server is not None and server[1] == self.settings.metrics_port

    async def _metrics(self, method: str, request_id: str, send: Send) -> int:
        if method != "GET":
            raise HttpProblem(
                405,
                "Method not allowed",
                f"{method} is not allowed on /metrics.",
                headers={"Allow": "GET"},
            )
        body = await self.metrics.render(self.state.pool, self.state.backend)
        await self._send(send, 200, body, METRICS_CONTENT_TYPE.encode(), request_id, {})
        return 200

    @staticmethod
    async def _send(
        send: Send,
        status: int,
        body: bytes,
        content_type: bytes | None,
        request_id: str,
        extra: dict[str, str],
    ) -> None:
        raw = [
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
            *SECURITY_HEADERS,
        ]
        if content_type is not None:
            raw.append((b"content-type", content_type))
        has_cache_control = False
        for name, value in extra.items():
            lowered = name.lower()
            if lowered == "content-type":
                raw = [h for h in raw if h[0] != b"content-type"]
            has_cache_control = has_cache_control or lowered == "cache-control"
            raw.append((lowered.encode("latin-1"), value.encode("latin-1")))
        if not has_cache_control:
            raw.append(_NO_STORE)
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})
