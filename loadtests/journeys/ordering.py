"""Signed-in ordering, ~20 % of users: place an order, read it, list my orders, sometimes cancel."""

from __future__ import annotations

import random
import uuid
from typing import Any

from locust import task

from refarch.loadtests.journeys.accounts import SignedIn, login, register_and_login
from refarch.loadtests.journeys.expectations import expect, order, page_of
from refarch.loadtests.journeys.shop_user import ShopUser

__all__ = ["SignedInBuyer"]

ADDRESS = {
    "name": "Load Tester",
    "line1": "1 Benchmark Street",
    "city": "Testville",
    "postal_code": "12345",
    "country": "DE",
}
#: Orders a buyer remembers for reading and cancelling; bounded so soak runs stay flat in memory.
REMEMBERED_ORDERS = 20


def _shipping(api_prefix: str) -> dict[str, Any]:
    """v1 ships to an address; from v2 on the buyer also picks a method (1 in 4 express)."""
    if api_prefix.endswith("/v1"):
        return {"shipping_address": ADDRESS}
    method = "express" if random.random() < 0.25 else "standard"
    return {"shipping": {"method": method, "address": ADDRESS}}


class SignedInBuyer(ShopUser):
    weight = 2

    def on_start(self) -> None:
        self.account: SignedIn | None = register_and_login(self.client, self.run_data)
        self.pending_orders: list[str] = []

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str] | None:
        """Auth headers, logging in again when the token is about to expire; None if signed out."""
        if self.account is None:
            self.account = register_and_login(self.client, self.run_data)
        elif self.account.stale:
            self.account = login(
                self.client, self.run_data, self.account.email, self.account.password
            )
        return None if self.account is None else {**self.account.headers, **(extra or {})}

    @task(3)
    def place_order(self) -> None:
        run = self.run_data
        # a fresh key per order: a retry of the same order would reuse it (replayed, not duplicated)
        headers = self._headers({"Idempotency-Key": str(uuid.uuid4())})
        if headers is None:
            return
        picked = random.sample(run.products, k=random.randint(1, 3))
        body: dict[str, Any] = {
            "items": [{"product_id": p["id"], "quantity": random.randint(1, 2)} for p in picked],
            **_shipping(run.api_prefix),
        }
        with self.client.post(
            f"{run.api_prefix}/orders",
            json=body,
            headers=headers,
            name="placeOrder",
            catch_response=True,
        ) as response:
            placed = expect(response, 201, order)
            if placed is not None and placed["status"] != "pending":
                response.failure(f"new order has status {placed['status']!r}, expected 'pending'")
                placed = None
        if placed is not None:
            self.pending_orders = [placed["id"], *self.pending_orders][:REMEMBERED_ORDERS]

    @task(2)
    def read_order(self) -> None:
        headers = self._headers()
        if headers is None or not self.pending_orders:
            return
        order_id = random.choice(self.pending_orders)
        with self.client.get(
            f"{self.run_data.api_prefix}/orders/{order_id}",
            headers=headers,
            name="getOrder",
            catch_response=True,
        ) as response:
            found = expect(response, 200, order)
            if found is not None and found["id"] != order_id:
                response.failure("getOrder returned another order")

    @task(2)
    def list_my_orders(self) -> None:
        headers = self._headers()
        if headers is None:
            return
        with self.client.get(
            f"{self.run_data.api_prefix}/orders",
            params={"limit": 10},
            headers=headers,
            name="listMyOrders",
            catch_response=True,
        ) as response:
            expect(response, 200, page_of(order))

    @task(1)
    def cancel_order(self) -> None:
        headers = self._headers()
        if headers is None or not self.pending_orders:
            return
        order_id = self.pending_orders.pop()
        with self.client.post(
            f"{self.run_data.api_prefix}/orders/{order_id}/cancel",
            headers=headers,
            name="cancelOrder",
            catch_response=True,
        ) as response:
            cancelled = expect(response, 200, order)
            if cancelled is not None and cancelled["status"] != "cancelled":
                response.failure(f"cancelled order has status {cancelled['status']!r}")
