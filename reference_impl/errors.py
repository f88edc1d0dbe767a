"""Domain errors: raised by services, mapped to problem+json in one place (platform.problems).

Standard library only, so domain and service code can raise them without knowing HTTP.
Each service subclasses these with its own precise errors (``EmailAlreadyRegistered``…).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "Unavailable",
    "field_error",
    "json_pointer",
]


def json_pointer(path: Iterable[str | int]) -> str:
    """RFC 6901 pointer to ``path`` (``["items", 1, "quantity"]`` -> ``/items/1/quantity``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def field_error(location: str, path: Iterable[str | int], message: str) -> dict[str, str]:
    """One ``errors[]`` member of a 422: ``in`` is body, query, path or header and ``field``
    a JSON Pointer into it (a parameter by its declared name), the format the spec's
    FieldError declares (see the API guidelines for why)."""
    return {"in": location, "field": json_pointer(path), "message": message}


class DomainError(Exception):
    """Base class. ``detail`` is shown to the client; ``extensions`` become problem members."""

    title = "Request failed"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict"


class Forbidden(DomainError):
    title = "Forbidden"


class Unavailable(DomainError):
    """A part the operation needs is not available in this process right now (503)."""

    title = "Service unavailable"


class Unauthenticated(DomainError):
    """Credentials or token refused. ``invalid_token`` selects the WWW-Authenticate error."""

    title = "Unauthorized"

    def __init__(self, detail: str, *, invalid_token: bool = False, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.invalid_token = invalid_token


class InvalidInput(DomainError):
    """Semantically invalid input that the schema could not catch (422).

    ``errors`` lists ``{"field": <domain field name>, "message": ...}``; the domain knows
    nothing of HTTP, so the gateway turns each name into its request location with
    :func:`field_error` (``items[1].product_id`` -> body ``/items/1/product_id``).
    """

    title = "Unprocessable content"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None, **ext: Any) -> None:
        super().__init__(detail, **ext)
        if errors:
            self.extensions["errors"] = errors


class RateLimited(DomainError):
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.retry_after = retry_after
