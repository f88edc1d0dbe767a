"""Every error becomes an RFC 9457 problem here, and only here.

Domain errors (``reference_impl.errors``), the gateway's own refusals (``HttpProblem``),
database outages and unexpected exceptions all pass through :func:`problem_for`, so the
status codes, titles and headers a client sees are decided in one place.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from refarch.reference_impl import errors

__all__ = [
    "DATABASE_RETRY_AFTER_SECONDS",
    "HttpProblem",
    "Problem",
    "is_database_unavailable",
    "problem_for",
]

log = logging.getLogger("refarch.reference_impl.problems")

#: How long a client should wait after a 503: long enough for a PostgreSQL restart
#: (~0.5 s embedded) plus pool reconnection, short enough that clients retry soon.
DATABASE_RETRY_AFTER_SECONDS = 2

_BEARER_MISSING = 'Bearer realm="refarch"'
_BEARER_INVALID = 'Bearer realm="refarch", error="invalid_token"'


@dataclass(slots=True)
class Problem:
    """A problem document before it is tied to a request (``instance``/``request_id``)."""

    status: int
    title: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)

    def body(self, *, instance: str, request_id: str) -> dict[str, Any]:
        # extensions first so they can never overwrite the standard members
        return {
            **self.extensions,
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            "request_id": request_id,
        }


class HttpProblem(Exception):
    """A refusal decided by the gateway itself (routing, body, validation, auth)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.problem = Problem(status, title, detail, headers or {}, extensions)


# asyncpg raises these when the server is gone, restarting or refusing connections; any of
# them means "try again shortly", never "the request was wrong". Without this mapping a
# PostgreSQL restart showed up as ~0.3 s of 500s and dropped connections.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # 08xxx, incl. ConnectionDoesNotExistError
    asyncpg.exceptions.OperatorInterventionError,  # 57xxx: admin shutdown, cannot connect now
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ConnectionFailureError,
    OSError,  # refused, reset, socket file missing while the server restarts
    asyncio.TimeoutError,  # connecting or acquiring from the pool took too long
)


def is_database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, _UNAVAILABLE):
        return True
    if isinstance(exc, asyncpg.exceptions.InternalClientError):
        # "cannot switch to state N; another operation is in progress": the server went away
        # mid-conversation and left the connection's protocol state behind; the pool
        # terminates that connection on release, so the next request gets a fresh one.
        return "another operation" in str(exc)
    if isinstance(exc, asyncpg.InterfaceError):
        # "connection is closed", "pool is closing", "cannot perform operation: another
        # operation is in progress" after a reset: the connection, not the query, failed.
        message = str(exc).lower()
        return "closed" in message or "closing" in message or "connection" in message
    return False


_DOMAIN_STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Forbidden, 403),
    (errors.Unauthenticated, 401),
    (errors.InvalidInput, 422),
    (errors.RateLimited, 429),
    (errors.Unavailable, 503),
)


def _domain_problem(exc: errors.DomainError) -> Problem:
    status = next((code for kind, code in _DOMAIN_STATUS if isinstance(exc, kind)), 400)
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = _BEARER_INVALID if exc.invalid_token else _BEARER_MISSING
    elif isinstance(exc, errors.Unavailable):
        headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    elif isinstance(exc, errors.RateLimited):
        headers["Retry-After"] = str(max(1, int(exc.retry_after)))
    return Problem(status, exc.title, exc.detail, headers, dict(exc.extensions))


def problem_for(exc: BaseException, *, request_id: str) -> Problem:
    """The problem to answer for ``exc``; logs what the client must not see."""
    if isinstance(exc, HttpProblem):
        return exc.problem
    if isinstance(exc, errors.DomainError):
        return _domain_problem(exc)
    if is_database_unavailable(exc):
        log.warning(
            "database unavailable: %s: %s",
            type(exc).__name__,
            exc,
            extra={"fields": {"request_id": request_id}},
        )
        return Problem(
            503,
            "Service unavailable",
            "The database is temporarily unavailable. Retry shortly.",
            {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    log.error("unhandled exception", exc_info=exc, extra={"fields": {"request_id": request_id}})
    return Problem(
        500,
        "Internal server error",
        "The server failed to handle the request. Quote the request_id when reporting it.",
    )


def unauthenticated(detail: str, *, invalid_token: bool) -> HttpProblem:
    """401 with the ``WWW-Authenticate`` challenge RFC 6750 asks for."""
    return HttpProblem(
        401,
        "Unauthorized",
        detail,
        headers={"WWW-Authenticate": _BEARER_INVALID if invalid_token else _BEARER_MISSING},
    )
