"""The contract between the platform and what runs behind it.

A handler is ``async def handler(request: ApiRequest) -> ApiResponse``, already bound to the
service it calls. The composition root (``reference_impl.bootstrap``) hands the platform a
:class:`Backend`: the handlers by operationId, plus what the lifespan and the metrics need.
The platform imports nothing of the services.

Before a handler runs the platform has done everything the spec says: the path, query,
headers and body are validated and coerced, defaults are applied, the bearer token is
verified and admin-only operations are refused for non-admins. The handler does the
business part and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from refarch.reference_impl.errors import NotFound
from refarch.reference_impl.principal import Principal

__all__ = [
    "ApiRequest",
    "ApiResponse",
    "Backend",
    "BackgroundTask",
    "Handler",
    "Operations",
    "combine_operations",
]


@dataclass(slots=True)
class ApiRequest:
    operation_id: str
    path_params: dict[str, Any]
    query: dict[str, Any]
    headers: Mapping[str, str]  # case-insensitive
    body: Any
    principal: Principal | None
    request_id: str
    client_ip: str

    def require_principal(self) -> Principal:
        assert self.principal is not None, "the router enforces security before handlers run"
        return self.principal

    def page_params(self) -> tuple[int, int]:
        """limit and offset (the router applied the spec's defaults and bounds)."""
        return int(self.query.get("limit", 20)), int(self.query.get("offset", 0))

    def path_id(self, name: str) -> UUID:
        """A path id; one that is not a UUID names nothing, so it is simply not found."""
        try:
            return UUID(str(self.path_params[name]))
        except ValueError:
            raise NotFound("Nothing exists at this address.") from None

    def query_id(self, name: str) -> UUID | None:
        value = self.query.get(name)
        return None if value is None else UUID(str(value))


@dataclass(slots=True)
class ApiResponse:
    status: int = 200
    body: Any = None  # JSON-serialisable (orjson); None means no body
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[ApiRequest], Awaitable[ApiResponse]]
#: operationId -> the handler bound to its service.
Operations = Mapping[str, Handler]
BackgroundTask = Callable[[], Awaitable[None]]


def combine_operations(*groups: Operations) -> dict[str, Handler]:
    """One mapping from several; an operationId bound twice is a wiring bug, refused here."""
    combined: dict[str, Handler] = {}
    for group in groups:
        for operation_id, handler in group.items():
            if operation_id in combined:
                raise RuntimeError(f"operationId {operation_id!r} has two handlers")
            combined[operation_id] = handler
    return combined


class Backend(Protocol):
    """Everything behind the handlers, as the platform sees it (built once the pool is open)."""

    def operations(self, version: str = "v1") -> Operations:
        """Every handler of one API version by operationId; the router refuses to start if
        that version's specs and these differ."""
        ...

    async def start(self) -> None:
        """Run once, after the migrations and before the first request (e.g. the admin)."""
        ...

    async def current_principal(self, claimed: Principal) -> Principal | None:
        """The caller as their account is *now*: its current role, or None when the account
        is suspended or gone. A token only proves who the caller was when it was issued;
        this is asked on every authenticated request, so suspensions, deletions and
        demotions take effect at once rather than when the token expires."""
        ...

    def background_tasks(self) -> Sequence[BackgroundTask]:
        """Coroutines the platform runs for the app's lifetime (and cancels at shutdown)."""
        ...

    async def outbox_lag_seconds(self) -> float: ...

    async def outbox_dead_letters(self) -> int: ...

    def consumer_dead_letters(self) -> Mapping[str, int]:
        """Messages each event consumer of this process set aside, by consumer name."""
        ...

    async def mail_deliveries(self) -> Mapping[str, int]:
        """Notification emails by state: pending, delivered, dead_letter, cancelled."""
        ...

    def consumer_lag(self) -> Mapping[str, tuple[float, float]]:
        """(events, seconds) each event consumer of this process trails the stream by."""
        ...

    async def close(self) -> None: ...
