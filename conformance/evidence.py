"""Evidence for the report: the HTTP exchanges a test made, and a ``curl`` line for each.

Every request the scenario tests send goes through :class:`ApiClient` (or its async twin),
which records the exchange in the current test's log. When a test fails the report shows
the exchange that proved it wrong and how to replay it. Secrets the operator supplied
(the admin password and token) are replaced by environment-variable placeholders so a
report can be shared as a CI artifact.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

import httpx

from refarch.conformance.budget import check_not_throttled, observe

__all__ = ["ApiClient", "AsyncApiClient", "Exchange", "TestLog", "redact", "register_secret"]

_BODY_PREVIEW = 2000  # characters of a body kept in the report

#: A pooled connection idle longer than this is not reused. Servers close idle keep-alive
#: connections on their own timer (uvicorn after 5 s, gunicorn after 2 s); a client that
#: keeps them as long (httpx's default is 5 s too) can send a request into a connection at
#: the moment the server closes it and read ReadError instead of an answer, a race that CPU
#: load widens. Reusing only connections idle under a second stays clear of common servers.
KEEPALIVE_EXPIRY_SECONDS = 1.0
POOL_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS
)
_SECRETS: dict[str, str] = {}


def register_secret(value: str, placeholder: str) -> None:
    """Replace ``value`` by ``placeholder`` (e.g. ``$ADMIN_TOKEN``) wherever evidence shows it."""
    if value:
        _SECRETS[value] = placeholder


def redact(text: str) -> str:
    for value, placeholder in _SECRETS.items():
        text = text.replace(value, placeholder)
    return text


def _text(content: bytes) -> str:
    text = content.decode("utf-8", errors="replace")
    return text if len(text) <= _BODY_PREVIEW else text[:_BODY_PREVIEW] + "…(truncated)"


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    response_headers: dict[str, str]
    response_body: str

    @classmethod
    def from_response(cls, response: httpx.Response) -> Exchange:
        request = response.request
        return cls(
            method=request.method,
            url=redact(str(request.url)),
            request_headers={k: redact(v) for k, v in request.headers.items()},
            request_body=redact(_text(request.content)),
            status=response.status_code,
            response_headers=dict(response.headers.items()),
            response_body=redact(_text(response.content)),
        )

    @property
    def curl(self) -> str:
        parts = ["curl", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            if name.lower() in {
                "host",
                "content-length",
                "accept-encoding",
                "connection",
                "user-agent",
            }:
                continue
            header = f"{name}: {value}"
            # a redaction placeholder ($ADMIN_TOKEN) must stay expandable by the shell
            parts += ["-H", f'"{header}"' if "$" in value else shlex.quote(header)]
        if self.request_body:
            parts += ["--data-raw", shlex.quote(self.request_body)]
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": self.request_headers,
                "body": self.request_body,
            },
            "response": {
                "status": self.status,
                "headers": self.response_headers,
                "body": self.response_body,
            },
            "curl": self.curl,
        }


class TestLog:
    """The exchanges of the test that is running now (the plugin clears it between tests)."""

    __test__ = False
    exchanges: list[Exchange] = []

    @classmethod
    def clear(cls) -> None:
        cls.exchanges = []

    @classmethod
    def record(cls, response: httpx.Response) -> None:
        cls.exchanges.append(Exchange.from_response(response))


def _json_or_raw(kwargs: dict[str, Any]) -> dict[str, Any]:
    # compact JSON keeps curl lines short and identical to what was sent
    payload = kwargs.pop("json", None)  # httpx passes json=None explicitly for content=...
    if payload is not None:
        kwargs["content"] = json.dumps(payload, separators=(",", ":")).encode()
        headers = dict(kwargs.get("headers") or {})
        headers.setdefault("Content-Type", "application/json")
        kwargs["headers"] = headers
    return kwargs


def _count(response: httpx.Response) -> None:
    """What the run spends from its address; a 429 to the suite's own request stops it."""
    method, url = response.request.method, str(response.request.url)
    observe(method, url, response.status_code)
    check_not_throttled(method, url, response.status_code, response.headers.get("Retry-After"))


class ApiClient(httpx.Client):
    """An httpx client whose every exchange becomes evidence for the current test."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("limits", POOL_LIMITS)
        super().__init__(**kwargs)

    def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        response = super().request(method, url, **_json_or_raw(kwargs))
        TestLog.record(response)
        _count(response)
        return response


class AsyncApiClient(httpx.AsyncClient):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("limits", POOL_LIMITS)
        super().__init__(**kwargs)

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        response = await super().request(method, url, **_json_or_raw(kwargs))
        TestLog.record(response)
        _count(response)
        return response
