"""Deprecation, Sunset and successor Link headers for operations a newer version supersedes.

Driven by the spec, like everything the router does: an operation marked ``deprecated:
true`` with ``x-deprecated-at``, ``x-sunset`` (RFC 3339 instants) and ``x-successor`` (the
successor's path template, e.g. ``/api/v2/orders/{order_id}``) answers every response its
handler produces with

- ``Deprecation: @<unix seconds>`` (RFC 9745),
- ``Sunset: <HTTP-date>`` (RFC 8594),
- ``Link: <successor path>; rel="successor-version"`` (RFC 8288, relation from RFC 5829),

the successor's path parameters filled from the request's own. Half a declaration (say a
sunset without a successor) is a spec error that stops start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Handler
from refarch.reference_impl.platform.validation import SpecError

__all__ = ["announce_successor"]

_LIFECYCLE_KEYS = ("x-deprecated-at", "x-sunset", "x-successor")
_TEMPLATE_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _instant(operation: Mapping[str, Any], key: str, where: str) -> datetime:
    value = operation[key]
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise SpecError(f"{where}: {key} {value!r} is not an RFC 3339 date-time") from None
    if moment.tzinfo is None:
        raise SpecError(f"{where}: {key} {value!r} needs a UTC offset (e.g. Z)")
    return moment


def announce_successor(operation: Mapping[str, Any], handler: Handler, *, where: str) -> Handler:
    """``handler``, adding the lifecycle headers when the operation declares a successor."""
    declared = [key for key in _LIFECYCLE_KEYS if key in operation]
    if not declared:
        return handler
    if len(declared) != len(_LIFECYCLE_KEYS) or operation.get("deprecated") is not True:
        raise SpecError(
            f"{where}: a superseded operation needs deprecated: true and all of "
            + ", ".join(_LIFECYCLE_KEYS)
        )
    deprecation = f"@{int(_instant(operation, 'x-deprecated-at', where).timestamp())}"
    sunset = format_datetime(_instant(operation, "x-sunset", where).astimezone(UTC), usegmt=True)
    successor = str(operation["x-successor"])

    async def superseded(request: ApiRequest) -> ApiResponse:
        response = await handler(request)
        path = _TEMPLATE_PARAM.sub(lambda m: str(request.path_params[m.group(1)]), successor)
        response.headers.update(
            {
                "Deprecation": deprecation,
                "Sunset": sunset,
                "Link": f'<{path}>; rel="successor-version"',
            }
        )
        return response

    return superseded
