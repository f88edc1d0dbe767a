"""The machinery of the fault harness: a switch naming the one fault in force, and an ASGI
middleware that lets that fault rewrite a request before the reference implementation
sees it and the response before the client does.

Faults live here, in the project's tests, never in ``reference_impl``: the implementation
stays correct, and the harness makes it wrong in exactly one way at a time.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from refarch.reference_impl.bootstrap import Services, build_services
from refarch.reference_impl.settings import Settings

__all__ = ["App", "Exchange", "Fault", "FaultSwitch", "FaultyApp", "HttpRequest", "HttpResponse"]

API_PREFIX = "/api/v1"


@dataclass
class HttpRequest:
    method: str
    path: str  # without the /api/v1 prefix when it had one
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    scope: dict[str, Any] = field(repr=False)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()


#: Calls the real implementation with a (possibly rewritten) request.
App = Callable[[HttpRequest], Awaitable[HttpResponse]]


@dataclass
class Exchange:
    """What a fault needs besides the request: the implementation and its settings."""

    call: App
    settings: Settings


class Fault:
    """One way of being wrong. Subclasses override the hooks they need.

    ``requirement`` is the id the suite must report as failed; ``select`` the requirement
    ids to run (a fast, targeted subset of the suite).
    """

    name = ""
    requirement = ""
    select: tuple[str, ...] = ()
    description = ""

    async def handle(self, request: HttpRequest, exchange: Exchange) -> HttpResponse:
        await self.before(request, exchange)
        response = await exchange.call(request)
        await self.after(request, response, exchange)
        return response

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        """Rewrite the request before the implementation sees it."""

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        """Rewrite the response before the client sees it."""

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        """Replace service behaviour; the replacement must act only while ``active()``."""

    def __repr__(self) -> str:
        return self.name


class FaultSwitch:
    """Names the fault in force (or none); the test flips it between suite runs."""

    def __init__(self) -> None:
        self.active: Fault | None = None

    def is_active(self, fault: Fault) -> Callable[[], bool]:
        return lambda: self.active is fault

    def services_factory(
        self, faults: Sequence[Fault]
    ) -> Callable[[Any, Settings], Awaitable[Services]]:
        """A ``services_factory`` for the reference server: the real services, with each
        of ``faults`` patched in to act only while this switch names it."""

        async def services_with_faults(pool: Any, settings: Settings) -> Services:
            services = await build_services(pool, settings)
            for fault in faults:
                fault.patch_services(services, self.is_active(fault))
            return services

        return services_with_faults


class FaultyApp:
    """ASGI middleware: passes everything through untouched unless a fault is in force."""

    def __init__(self, app: Any, switch: FaultSwitch, settings: Settings) -> None:
        self.app = app
        self.switch = switch
        self.settings = settings

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        fault = self.switch.active
        if scope["type"] != "http" or fault is None:
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = _request_from(scope, body)
        response = await fault.handle(request, Exchange(self._call, self.settings))
        headers = [
            (k.encode(), v.encode()) for k, v in response.headers.items() if k != "content-length"
        ]
        headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    async def _call(self, request: HttpRequest) -> HttpResponse:
        scope = dict(request.scope)
        full_path = (
            (API_PREFIX + request.path) if scope["path"].startswith(API_PREFIX) else request.path
        )
        scope["path"] = full_path
        scope["raw_path"] = full_path.encode()
        scope["query_string"] = urlencode(request.query).encode()
        headers = {**request.headers, "content-length": str(len(request.body))}
        scope["headers"] = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}

        status, response_headers, chunks = 500, {}, []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = {
                    k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]
                }
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return HttpResponse(status, response_headers, b"".join(chunks))


def _request_from(scope: dict[str, Any], body: bytes) -> HttpRequest:
    path = scope["path"]
    return HttpRequest(
        method=scope["method"],
        path=path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path,
        query=dict(
            parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        ),
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
        body=body,
        scope=scope,
    )
