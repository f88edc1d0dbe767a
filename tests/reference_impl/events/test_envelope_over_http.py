"""EVT-002: the envelope names the API call that caused the event (a real server and broker)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import nats
import orjson
import pytest

from refarch.nats_server import temporary
from refarch.reference_impl.jetstream import stream_names
from tests.support.server import reference_server
from tests.support.shop import ADDRESS, create_product, login, register

EVENTS, _ = stream_names("refarch")


async def stored_events(url: str) -> list[dict[str, Any]]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(EVENTS)
        bodies = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await js.get_msg(EVENTS, seq)
            assert message.data is not None
            bodies.append(orjson.loads(message.data))
        return bodies
    finally:
        await nc.close()


@pytest.mark.requirement("EVT-002")
def test_evt_events_carry_the_ids_of_the_response_and_the_callers_request_id(
    tmp_path: Path, database_url: str
) -> None:
    request_id = f"trace-{uuid.uuid4().hex}"
    with (
        temporary(tmp_path / "nats") as broker,
        reference_server(tmp_path, database_url, env={"NATS_URL": broker.url}) as server,
        httpx.Client(base_url=server.api_url) as client,
    ):
        admin = login(client, server.admin_email, server.admin_password)
        product = create_product(client, admin, sku_prefix="ENV", name="Env", amount=250, stock=5)
        _, customer = register(client)
        placed = client.post(
            "/orders",
            headers={**customer, "X-Request-ID": request_id},
            json={
                "items": [{"product_id": product["id"], "quantity": 2}],
                "shipping_address": ADDRESS,
            },
        )
        assert placed.status_code == 201, placed.text
        order = placed.json()
        deadline = time.monotonic() + 15
        events = asyncio.run(stored_events(broker.url))
        while not any(e["aggregate_id"] == order["id"] for e in events):
            assert time.monotonic() < deadline, events
            time.sleep(0.1)
            events = asyncio.run(stored_events(broker.url))

    caused = [e for e in events if e["request_id"] == request_id]
    assert sorted(e["type"] for e in caused) == ["order.placed", "product.stock_changed"]
    placed_event = next(e for e in caused if e["type"] == "order.placed")
    assert placed_event["aggregate_id"] == placed_event["data"]["order_id"] == order["id"]
    assert placed_event["data"]["total"] == order["total"]
    assert placed_event["data"]["user_id"] == order["user_id"]
    assert placed_event["producer"] == "orders" and placed_event["sequence"] == 1
    stock_event = next(e for e in caused if e["type"] == "product.stock_changed")
    assert stock_event["data"] == {
        "product_id": product["id"],
        "stock": 3,
        "delta": -2,
        "reason": "order_placed",
        "order_id": order["id"],
    }
    assert stock_event["sequence"] == 2  # product.created was 1
    created = next(e for e in events if e["type"] == "product.created")
    assert created["request_id"] not in (None, request_id)  # the admin's call, not the order's
