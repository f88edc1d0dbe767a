"""The `make demo` step for API versions: one order, placed through v2, read through both.

Shows what ADR 0044/0045 promise: v1 and v2 answer from one server and one database, an
express order keeps v1's meaning of `total` (the sum of the lines) when read through v1,
and every v1 orders answer names its v2 successor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["same_order_through_both_versions"]

Show = Callable[[str, object], None]
Expect = Callable[[httpx.Response, int], dict[str, Any]]


def _eur(money: dict[str, Any]) -> str:
    return f"{money['amount'] / 100:.2f} {money['currency']}"


def same_order_through_both_versions(
    base_url: str, auth: dict[str, str], product_id: str, *, show: Show, expect: Expect
) -> str:
    """Place an express order through v2, read it through v1 and v2; returns its id."""
    v1 = httpx.Client(base_url=f"{base_url}/api/v1", timeout=10)
    v2 = httpx.Client(base_url=f"{base_url}/api/v2", timeout=10)
    with v1, v2:
        methods = expect(v2.get("/shipping-methods"), 200)["items"]
        show("v2 shipping methods", ", ".join(f"{m['method']} {_eur(m['cost'])}" for m in methods))
        body = {
            "items": [{"product_id": product_id, "quantity": 1}],
            "shipping": {
                "method": "express",
                "address": {
                    "name": "Ada Lovelace",
                    "line1": "12 Analytical Row",
                    "city": "London",
                    "postal_code": "N1 9GU",
                    "country": "GB",
                },
            },
        }
        placed = expect(v2.post("/orders", headers=auth, json=body), 201)
        order_id: str = placed["id"]
        via_v2 = expect(v2.get(f"/orders/{order_id}", headers=auth), 200)
        old = v1.get(f"/orders/{order_id}", headers=auth)
        via_v1 = expect(old, 200)
        totals = via_v2["totals"]
        show("placed through v2", f"{order_id} ({via_v2['shipping']['method']} shipping)")
        show(
            "read through v2",
            f"subtotal {_eur(totals['subtotal'])} + shipping {_eur(totals['shipping'])}"
            f" = total {_eur(totals['total'])}",
        )
        show(
            "read through v1",
            f"total {_eur(via_v1['total'])} (v1's total is the sum of the lines), "
            f"ship to {via_v1['shipping_address']['city']}",
        )
        show("v1 Deprecation", old.headers.get("deprecation", "(missing)"))
        show("v1 Sunset", old.headers.get("sunset", "(missing)"))
        show("v1 Link", old.headers.get("link", "(missing)"))
    return order_id
