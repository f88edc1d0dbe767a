"""Where an order's address and amounts live in each API version, for version-neutral tests.

Most order rules mean the same in v1 and v2 (stock, ownership, states, idempotency); only
the wire shape moved: v2 sends ``shipping: {method, address}`` instead of
``shipping_address`` and shows ``totals.subtotal`` where v1 shows ``total`` (the sum of
the lines). Scenarios build bodies and read amounts through these, so one test checks its
rule against whichever version the run targets.
"""

from __future__ import annotations

from typing import Any

from refarch.conformance.options import current_run
from refarch.conformance.testdata import address

__all__ = ["address_pointer", "lines_total", "order_address", "order_request"]


def _version(version: str | None) -> str:
    return version or current_run().version


def order_request(
    lines: list[tuple[str, int]],
    *,
    version: str | None = None,
    shipping_address: dict[str, Any] | None = None,
    method: str = "standard",
) -> dict[str, Any]:
    """A placeOrder body for the version; ``method`` only exists from v2 on."""
    items = [{"product_id": product_id, "quantity": quantity} for product_id, quantity in lines]
    where = shipping_address or address()
    if _version(version) == "v1":
        return {"items": items, "shipping_address": where}
    return {"items": items, "shipping": {"method": method, "address": where}}


def order_address(body: dict[str, Any], *, version: str | None = None) -> dict[str, Any]:
    """The address member of a placeOrder body or an order, for the version."""
    if _version(version) == "v1":
        found: dict[str, Any] = body["shipping_address"]
    else:
        found = body["shipping"]["address"]
    return found


def address_pointer(*, version: str | None = None) -> str:
    """The JSON pointer of the address inside a placeOrder body (as errors entries name it)."""
    return "/shipping_address" if _version(version) == "v1" else "/shipping/address"


def lines_total(order: dict[str, Any], *, version: str | None = None) -> Any:
    """The sum of the order's lines: v1's ``total``, v2's ``totals.subtotal``."""
    return order["total"] if _version(version) == "v1" else order["totals"]["subtotal"]
