"""Faults the suite once missed (issue 11): lost updates and racy cancels under concurrency,
lists out of their promised order or without a tie-break, a status change that notifies
nobody, and searches that match substrings or any word instead of stems and every word.

Each is a plausible wrong implementation of one promise, built from the real one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import UUID

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.principal import Principal
from tests.conformance.faults.asgi import Exchange, Fault, HttpRequest, HttpResponse

__all__ = ["PROMISE_FAULTS"]

#: long enough that every concurrent request reads before any writes, on a loaded machine
_RACE_WINDOW_SECONDS = 0.2


class LosesConcurrentStockAdjustments(Fault):
    """Reads the stock, then writes back the level it read plus the delta."""

    name, requirement, select = "loses-concurrent-stock-adjustments", "CAT-008", ("CAT-008",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        adjust_stock = services.catalog.adjust_stock
        pool = services.pool

        async def read_then_write(product_id: UUID, delta: int) -> Any:
            if not active():
                return await adjust_stock(product_id, delta)
            stock = await pool.fetchval(
                "SELECT stock FROM catalog.products WHERE id = $1", product_id
            )
            await asyncio.sleep(_RACE_WINDOW_SECONDS)
            if stock is not None and stock + delta >= 0:
                await pool.execute(
                    "UPDATE catalog.products SET stock = $2 WHERE id = $1",
                    product_id,
                    stock + delta,
                )
                delta = 0
            return await adjust_stock(product_id, delta)

        services.catalog.adjust_stock = read_then_write  # type: ignore[method-assign]


class CancelsConcurrentlyMoreThanOnce(Fault):
    """Checks "pending" without locking the order, then cancels and returns the stock."""

    name, requirement, select = "cancels-concurrently-more-than-once", "ORD-008", ("ORD-008",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        orders = services.orders
        cancel_order, get_order = orders.cancel_order, orders.get_order
        pool = services.pool

        async def check_then_cancel(actor: Principal, order_id: UUID) -> Any:
            if not active():
                return await cancel_order(actor, order_id)
            order = await get_order(actor, order_id)  # ownership as before
            if order.status != "pending":
                return await cancel_order(actor, order_id)  # the 409 as before
            await asyncio.sleep(_RACE_WINDOW_SECONDS)
            for line in order.lines:
                await pool.execute(
                    "UPDATE catalog.products SET stock = stock + $2 WHERE id = $1",
                    line.product_id,
                    line.quantity,
                )
            await pool.execute(
                "UPDATE orders.orders SET status = 'cancelled', updated_at = now() WHERE id = $1",
                order_id,
            )
            return await get_order(actor, order_id)

        orders.cancel_order = check_then_cancel  # type: ignore[method-assign]


class ListsInReverse(Fault):
    """A list sorted the wrong way round (``ORDER BY created_at`` without ``DESC``)."""

    def __init__(self, name: str, requirement: str, path: str) -> None:
        self.name, self.requirement, self.select = name, requirement, (requirement,)
        self._path = path

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        body = response.json()
        if request.method == "GET" and request.path == self._path and response.status == 200:
            body["items"].reverse()
            response.set_json(body)


def _unbreak_ties(items: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> None:
    """Swap the first two of every run of three or more equal keys: what a sort without
    the id tie-breaker may return (the keys stay in order, the ids do not)."""
    start = 0
    while start < len(items):
        end = start
        while end + 1 < len(items) and key(items[end + 1]) == key(items[start]):
            end += 1
        if end - start >= 2:
            items[start], items[start + 1] = items[start + 1], items[start]
        start = end + 1


_PRODUCT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda item: item["name"],
    "price": lambda item: item["price"]["amount"],
    "created_at": lambda item: item["created_at"],
}


class LeavesTiesUnbroken(Fault):
    def __init__(
        self, name: str, requirement: str, path: str, key: Callable[[HttpRequest], Any]
    ) -> None:
        self.name, self.requirement, self.select = name, requirement, (requirement,)
        self._path, self._key = path, key

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if request.method != "GET" or request.path != self._path or response.status != 200:
            return
        body = response.json()
        _unbreak_ties(body["items"], self._key(request))
        response.set_json(body)


class SilentOnOneTransition(Fault):
    """One edge of the state machine publishes no event: its notification never appears."""

    name, requirement, select = "silent-when-shipped", "NTF-003", ("NTF-003",)

    async def after(self, request: HttpRequest, response: HttpResponse, exchange: Exchange) -> None:
        if request.method != "GET" or request.path != "/notifications" or response.status != 200:
            return
        body = response.json()
        body["items"] = [
            n
            for n in body["items"]
            if not (n["type"] == "order_status_changed" and n["data"].get("status") == "shipped")
        ]
        response.set_json(body)


class SearchMatchesAnyWord(Fault):
    """Joins the words with OR (``websearch_to_tsquery`` syntax) instead of AND."""

    name, requirement, select = "search-matches-any-word", "CAT-006", ("CAT-006",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if request.path == "/products" and request.query.get("q"):
            request.query["q"] = " or ".join(request.query["q"].split())


class SearchMatchesSubstrings(Fault):
    """``ILIKE '%word%'`` for every word instead of full-text search: no stemming."""

    name, requirement, select = "search-matches-substrings", "CAT-006", ("CAT-006",)

    async def handle(self, request: HttpRequest, exchange: Exchange) -> HttpResponse:
        q = request.query.get("q")
        if request.method != "GET" or request.path != "/products" or not q:
            return await exchange.call(request)
        request.query.pop("q")
        response = await exchange.call(request)
        body = response.json()
        if response.status == 200:
            words = [word.lower() for word in q.split()]
            body["items"] = [
                item
                for item in body["items"]
                if all(
                    word in f"{item['name']} {item.get('description') or ''}".lower()
                    for word in words
                )
            ]
            body["page"]["total"] = len(body["items"])
            response.set_json(body)
        return response


PROMISE_FAULTS: list[Fault] = [
    LosesConcurrentStockAdjustments(),
    CancelsConcurrentlyMoreThanOnce(),
    ListsInReverse("my-orders-oldest-first", "ORD-005", "/orders"),
    ListsInReverse("all-orders-oldest-first", "ORD-006", "/admin/orders"),
    ListsInReverse("accounts-newest-first", "API-027", "/users"),
    LeavesTiesUnbroken(
        "product-sort-without-id-tie-break",
        "CAT-007",
        "/products",
        lambda request: _PRODUCT_KEYS[request.query.get("sort", "name").lstrip("-")],
    ),
    LeavesTiesUnbroken(
        "category-list-without-id-tie-break",
        "API-027",
        "/categories",
        lambda request: lambda item: item["name"],
    ),
    SilentOnOneTransition(),
    SearchMatchesAnyWord(),
    SearchMatchesSubstrings(),
]
