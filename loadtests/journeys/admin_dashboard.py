"""An administrator's analytics dashboard: one user (``fixed_count``), reading the reports a
dashboard shows every few seconds. Its operations carry their own ``x-slo`` in the analytics
spec, so the gate judges them apart from the shop's traffic."""

from __future__ import annotations

import base64
import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from locust import between, task

from refarch.loadtests.journeys.expectations import expect, page_of
from refarch.loadtests.journeys.shop_user import ShopUser

__all__ = ["AdminDashboard"]

#: Stop this long before the admin's token expires rather than report 401s as failures.
EXPIRY_MARGIN_S = 60


def _expires_at(token: str) -> float:
    """The token's ``exp`` claim (no verification: the server does that)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return 0.0


def _report(body: Any) -> str | None:
    return None if isinstance(body, dict) and "range" in body else "not a report"


def _freshness(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("events_applied"), int):
        return "not a freshness document"
    return None


def _row(body: Any) -> str | None:
    return None if isinstance(body, dict) and "product_id" in body else "not a product row"


class AdminDashboard(ShopUser):
    fixed_count = 1
    wait_time = between(1.0, 3.0)

    def _headers(self) -> dict[str, str] | None:
        token = self.run_data.admin_token
        if not token or time.time() > _expires_at(token) - EXPIRY_MARGIN_S:
            return None
        return {"Authorization": f"Bearer {token}"}

    def _range(self) -> dict[str, str]:
        today = datetime.now(UTC).date()
        days = random.choice((1, 7, 30))
        return {
            "from": (today - timedelta(days=days)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
        }

    def _get(self, path: str, name: str, params: dict[str, Any], shape: Any) -> None:
        headers = self._headers()
        if headers is None:
            return
        with self.client.get(
            f"{self.run_data.api_prefix}{path}",
            params=params,
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            expect(response, 200, shape)

    @task(3)
    def sales(self) -> None:
        granularity = random.choice(("day", "week", "month"))
        self._get(
            "/admin/analytics/sales",
            "getSalesReport",
            {**self._range(), "granularity": granularity},
            _report,
        )

    @task(2)
    def top_products(self) -> None:
        self._get(
            "/admin/analytics/top-products",
            "getTopProducts",
            {**self._range(), "limit": 10},
            _report,
        )

    @task(1)
    def funnel(self) -> None:
        self._get("/admin/analytics/funnel", "getOrderFunnel", self._range(), _report)

    @task(1)
    def customers(self) -> None:
        self._get("/admin/analytics/customers", "getCustomerReport", self._range(), _report)

    @task(1)
    def low_stock(self) -> None:
        self._get(
            "/admin/analytics/low-stock", "listLowStockProducts", {"threshold": 5}, page_of(_row)
        )

    @task(1)
    def freshness(self) -> None:
        self._get("/admin/analytics/freshness", "getAnalyticsFreshness", {}, _freshness)
