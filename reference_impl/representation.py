"""Pieces of the wire format every service's representation shares: pages, timestamps, Location.

The spec fixes the shapes (ids as strings, RFC 3339 timestamps with offset, pages as
``{items, page: {limit, offset, total}}``); these keep every service writing them the same
way. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

__all__ = ["API_PREFIX", "iso", "page"]

API_PREFIX = "/api/v1"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def page(items: Iterable[dict[str, Any]], *, limit: int, offset: int, total: int) -> dict[str, Any]:
    return {"items": list(items), "page": {"limit": limit, "offset": offset, "total": total}}
