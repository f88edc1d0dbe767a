"""Faults in the version-2 API and in v1's announcement of it: each caught by the suite of
the version it breaks (``spec_version``), run with ``--spec-version``."""

from __future__ import annotations

from tests.conformance.faults.asgi import Exchange, Fault, HttpRequest, HttpResponse

__all__ = ["VERSION_FAULTS", "VersionFault"]


class VersionFault(Fault):
    spec_version = "v2"


class ExpressShippedFree(VersionFault):
    """The v2 order forgets the express charge: what a v2 that reuses v1's pricing does."""

    name, requirement, select = "v2-express-shipped-free", "ORD-018", ("ORD-018",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        order = response.json()
        if (
            request.path.startswith("/api/v2/orders")
            and response.status < 300
            and isinstance(order, dict)
            and "totals" in order
        ):
            free = {"amount": 0, "currency": "EUR"}
            order["shipping"]["cost"] = order["totals"]["shipping"] = free
            order["totals"]["total"] = order["totals"]["subtotal"]
            response.set_json(order)


class CursorIgnored(VersionFault):
    """The server ignores ``cursor`` and serves the first page again: clients loop."""

    name, requirement, select = "v2-cursor-ignored", "API-025", ("API-025",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if request.path.startswith("/api/v2/") and request.method == "GET":
            request.query.pop("cursor", None)


class SupersededSilently(VersionFault):
    """v1 keeps answering without telling anyone it is on its way out."""

    spec_version = "v1"
    name, requirement, select = "v1-superseded-silently", "API-026", ("API-026",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        for header in ("deprecation", "sunset", "link"):
            response.headers.pop(header, None)


VERSION_FAULTS: list[VersionFault] = [ExpressShippedFree(), CursorIgnored(), SupersededSilently()]
