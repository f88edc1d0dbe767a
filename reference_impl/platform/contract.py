"""The contract between the platform and the services' handlers.

A handler is ``async def handler(request: ApiRequest) -> ApiResponse`` registered for one
operationId with ``@operation("placeOrder")``. The platform has already done everything the
spec says before the handler runs: the path, query, headers and body are validated and
coerced, defaults are applied, the bearer token is verified and admin-only operations are
refused for non-admins. The handler does the business part and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from reference_impl.bootstrap import Services

__all__ = ["ApiRequest", "ApiResponse", "Handler", "HandlerRegistry", "Principal", "operation"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, from a verified access token."""

    user_id: UUID
    role: str  # "customer" | "admin"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


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
    services: Services

    def require_principal(self) -> Principal:
        assert self.principal is not None, "the router enforces security before handlers run"
        return self.principal


@dataclass(slots=True)
class ApiResponse:
    status: int = 200
    body: Any = None  # JSON-serialisable (orjson); None means no body
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[ApiRequest], Awaitable[ApiResponse]]


class HandlerRegistry:
    """operationId -> handler. The router refuses to start if the two sets differ."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def operation(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            if operation_id in self.handlers:
                raise RuntimeError(f"operationId {operation_id!r} has two handlers")
            self.handlers[operation_id] = fn
            return fn

        return register


#: The process-wide registry that service handler modules register into.
registry = HandlerRegistry()
operation = registry.operation
