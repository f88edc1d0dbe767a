"""The analytics API on the real server, fed by the real broker: after a scripted set of
orders in a category of its own, each report moves by exactly the expected amounts; only
administrators see them; a bad range is refused; the lag shows in /metrics (ANL-001,
ANL-002, ANL-005, ANL-006, ANL-008, ANL-009, ANL-012). Responses are validated against the
spec by the test server."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from refarch.nats_server import temporary
from tests.support.server import ServerHandle, reference_server
from tests.support.shop import create_product, login, order_body, register

WAIT_SECONDS = 20.0


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[ServerHandle]:
    with (
        temporary(tmp_path / "nats") as broker,
        # a batch whose acks were lost on a busy machine comes back in 2 s, not 30
        reference_server(
            tmp_path,
            database_url,
            env={"NATS_URL": broker.url, "REFARCH_EVENT_ACK_WAIT_SECONDS": "2"},
        ) as handle,
    ):
        yield handle


def _range(category_id: str) -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=2)).isoformat(),
        "category_id": category_id,
    }


def _wait_for(
    client: httpx.Client, admin: dict[str, str], path: str, params: Any, done: Any
) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        response = client.get(path, headers=admin, params=params)
        assert response.status_code == 200, response.text
        if done(response.json()) or time.monotonic() > deadline:
            return response.json()
        time.sleep(0.1)


def _sum(rows: list[dict[str, Any]], key: str) -> int:
    return sum(row[key]["amount"] if isinstance(row[key], dict) else row[key] for row in rows)


def test_anl_reports_move_by_exactly_the_scripted_orders(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.api_url, timeout=10) as client:
        admin = login(client, server.admin_email, server.admin_password)
        slug = f"anl-{uuid.uuid4().hex[:10]}"
        category = client.post("/categories", headers=admin, json={"slug": slug, "name": slug})
        assert category.status_code == 201, category.text
        category_id = category.json()["id"]
        kettle = create_product(
            client,
            admin,
            sku_prefix="ANL",
            name="Kettle",
            amount=2999,
            stock=10,
            category_id=category_id,
        )
        mug = create_product(
            client,
            admin,
            sku_prefix="ANL",
            name="Mug",
            amount=450,
            stock=5,
            category_id=category_id,
        )
        other = create_product(client, admin, sku_prefix="ANL", name="Other", amount=100, stock=9)
        _, customer = register(client)

        def place(lines: list[tuple[str, int]]) -> str:
            body = order_body(lines[0][0], lines[0][1])
            body["items"] = [{"product_id": pid, "quantity": qty} for pid, qty in lines]
            response = client.post("/orders", headers=customer, json=body)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        shipped = place([(kettle["id"], 2), (mug["id"], 1)])
        for status in ("paid", "shipped"):
            moved = client.post(
                f"/orders/{shipped}/transitions", headers=admin, json={"to": status}
            )
            assert moved.status_code == 200, moved.text
        cancelled = place([(kettle["id"], 1)])
        assert client.post(f"/orders/{cancelled}/cancel", headers=customer).status_code == 200
        place([(other["id"], 3)])  # outside the category: must not count

        params = {**_range(category_id), "granularity": "month"}
        sales = _wait_for(
            client,
            admin,
            "/admin/analytics/sales",
            params,
            lambda body: _sum(body["items"], "cancellations") == 1,
        )["items"]
        assert _sum(sales, "orders") == 2
        assert _sum(sales, "units") == 2 + 1 + 1
        assert _sum(sales, "revenue") == 2 * 2999 + 450 + 2999
        assert _sum(sales, "cancelled_revenue") == 2999
        assert _sum(sales, "refunds") == 0  # cancelled while pending: nothing was paid
        assert _sum(sales, "net_revenue") == 2 * 2999 + 450

        top = client.get(
            "/admin/analytics/top-products",
            headers=admin,
            params={**_range(category_id), "by": "units", "limit": 1},
        ).json()
        assert [(item["product_id"], item["units"]) for item in top["items"]] == [
            (kettle["id"], 2)  # the cancelled order's unit does not count
        ]

        funnel = client.get("/admin/analytics/funnel", headers=admin, params=_range(category_id))
        figures = funnel.json()
        assert [figures[k] for k in ("placed", "paid", "shipped", "delivered", "cancelled")] == [
            2,
            1,
            1,
            0,
            1,
        ]
        assert figures["conversion"] == {"paid": 0.5, "shipped": 1.0, "delivered": 0.0}

        low = _wait_for(
            client,
            admin,
            "/admin/analytics/low-stock",
            {"threshold": 4, "category_id": category_id},
            lambda body: body["page"]["total"] == 1,
        )
        assert [(item["product_id"], item["stock"]) for item in low["items"]] == [(mug["id"], 4)]

        freshness = _wait_for(
            client,
            admin,
            "/admin/analytics/freshness",
            None,
            lambda body: body["lag_events"] == 0,
        )
        assert freshness["lag_events"] == 0 and freshness["events_applied"] >= 10

        # ANL-001: nobody else sees a figure
        assert client.get("/admin/analytics/sales", params=params).status_code == 401
        assert (
            client.get("/admin/analytics/sales", headers=customer, params=params).status_code == 403
        )
        # ANL-012: a range that ends before it starts names the parameter
        refused = client.get(
            "/admin/analytics/sales",
            headers=admin,
            params={"from": "2026-11-02", "to": "2026-11-01"},
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert [(e["in"], e["field"]) for e in refused.json()["errors"]] == [("query", "/to")]

    # the gauges are measured in the background every few seconds: wait for the next one
    caught_up = 'refarch_event_consumer_lag_events{consumer="analytics"} 0.0'
    deadline = time.monotonic() + WAIT_SECONDS
    metrics = httpx.get(f"{server.base_url}/metrics", timeout=10).text
    while caught_up not in metrics and time.monotonic() < deadline:
        time.sleep(0.2)
        metrics = httpx.get(f"{server.base_url}/metrics", timeout=10).text
    assert caught_up in metrics
    assert 'refarch_event_consumer_lag_seconds{consumer="analytics"} 0.0' in metrics
