"""A reverse proxy on 127.0.0.1 that makes a healthy server look slow or flaky, per operation.

The load gate must fail when an implementation gets slower or starts answering 5xx, and it
must name the operations that did. Rather than patching the reference implementation, the
tests put this proxy in front of it: requests are matched to operationIds through the spec's
paths, selected operations get extra latency or every Nth request answered with a 503
problem+json, everything else passes through untouched.

Failures are injected deterministically (every Nth request, not at random) so a test's
verdict never depends on luck.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from refarch import specs

__all__ = ["Faults", "fault_proxy"]

# hop-by-hop headers a proxy must not forward (RFC 9110 section 7.6.1), plus ones httpx recomputes
_DROPPED = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
    "host",
    "content-length",
}


@dataclass(frozen=True)
class Faults:
    """Which operations to degrade, and how."""

    delay_ms: dict[str, int] = field(default_factory=dict)  # operationId -> added latency
    fail_every: dict[str, int] = field(
        default_factory=dict
    )  # operationId -> 503 on every Nth request


def _operation_matchers(version: str = "v1") -> list[tuple[str, re.Pattern[str], str]]:
    matchers = []
    for op in specs.operations(version):
        pattern = re.sub(r"\{[^/}]+\}", "[^/]+", op.path)
        matchers.append((op.method, re.compile(f"^/api/{version}{pattern}$"), op.operation_id))
    # literal paths before templated ones, so /users/me never matches /users/{user_id}
    return sorted(matchers, key=lambda m: m[1].pattern.count("[^/]+"))


def _proxy_app(upstream: str, faults: Faults) -> Starlette:
    matchers = _operation_matchers()
    seen: Counter[str] = Counter()
    client = httpx.AsyncClient(
        base_url=upstream, timeout=30.0, limits=httpx.Limits(max_connections=200)
    )

    def operation_of(method: str, path: str) -> str | None:
        return next((op for m, regex, op in matchers if m == method and regex.match(path)), None)

    async def forward(request: Request) -> Response:
        operation = operation_of(request.method, request.url.path)
        if operation is not None:
            seen[operation] += 1
            every = faults.fail_every.get(operation)
            if every and seen[operation] % every == 0:
                return JSONResponse(
                    {
                        "type": "about:blank",
                        "title": "Injected fault",
                        "status": 503,
                        "detail": operation,
                    },
                    status_code=503,
                    media_type="application/problem+json",
                    headers={"Retry-After": "1"},
                )
            delay = faults.delay_ms.get(operation)
            if delay:
                await asyncio.sleep(delay / 1000)
        upstream_response = await client.request(
            request.method,
            request.url.path,
            params=request.url.query,  # forwarded verbatim
            content=await request.body(),
            headers=[(k, v) for k, v in request.headers.items() if k.lower() not in _DROPPED],
        )
        return Response(
            upstream_response.content,
            status_code=upstream_response.status_code,
            headers={
                k: v
                for k, v in upstream_response.headers.items()
                if k.lower() not in _DROPPED | {"content-encoding"}
            },
        )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)], lifespan=lifespan)


@contextmanager
def fault_proxy(upstream: str, faults: Faults) -> Iterator[str]:
    """Serve the proxy on a free 127.0.0.1 port in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        _proxy_app(upstream, faults), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the fault proxy failed to start")
            threading.Event().wait(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
