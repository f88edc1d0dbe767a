"""Shared pieces of the wire format the handlers produce: pages, ids, timestamps, Location.

The spec fixes the shapes (ids as strings, RFC 3339 timestamps with offset, pages as
``{items, page: {limit, offset, total}}``); these helpers keep every service's handlers
writing them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from reference_impl.errors import NotFound
from reference_impl.platform.contract import ApiRequest

__all__ = ["API_PREFIX", "iso", "page", "page_params", "path_id", "query_id"]

API_PREFIX = "/api/v1"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def page(items: Iterable[dict[str, Any]], *, limit: int, offset: int, total: int) -> dict[str, Any]:
    return {"items": list(items), "page": {"limit": limit, "offset": offset, "total": total}}


def page_params(request: ApiRequest) -> tuple[int, int]:
    """limit and offset (the router applied the spec's defaults and bounds)."""
    return int(request.query.get("limit", 20)), int(request.query.get("offset", 0))


def path_id(request: ApiRequest, name: str) -> UUID:
    """A path id; one that is not a UUID names nothing, so it is simply not found."""
    try:
        return UUID(str(request.path_params[name]))
    except ValueError:
        raise NotFound("Nothing exists at this address.") from None


def query_id(request: ApiRequest, name: str) -> UUID | None:
    value = request.query.get(name)
    return None if value is None else UUID(str(value))
