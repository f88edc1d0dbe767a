"""The event delay line of `refarch load --broker-url`: a real server on a real broker."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from refarch.loadtests.event_delay import EventDelayProbe, EventDelays
from refarch.nats_server import temporary
from tests.support.server import reference_server
from tests.support.shop import create_product, login


@pytest.mark.requirement("EVT-001")
def test_the_probe_measures_commit_to_broker_and_to_notification(
    tmp_path: Path, database_url: str
) -> None:
    with (
        temporary(tmp_path / "nats") as broker,
        reference_server(tmp_path, database_url, env={"NATS_URL": broker.url}) as server,
        httpx.Client(base_url=server.api_url) as client,
    ):
        admin = login(client, server.admin_email, server.admin_password)
        product = create_product(
            client, admin, sku_prefix="PROBE", name="Probe", amount=100, stock=50
        )
        with EventDelayProbe(
            server.base_url, "/api/v1", broker.url, product["id"], interval_s=0.2
        ) as probe:
            time.sleep(4)
        stock = client.get(f"/products/{product['id']}").json()["stock"]

    delays = probe.delays
    assert delays.error is None
    assert len(delays.notification_ms) >= 3 and delays.missed == 0
    assert len(delays.broker_ms) == len(delays.notification_ms)
    assert all(b <= n for b, n in zip(delays.broker_ms, delays.notification_ms, strict=True))
    assert stock == 50, "every probe order is cancelled, its stock returned"
    assert delays.line().startswith(f"event delay over {len(delays.notification_ms)} probe orders")


def test_a_probe_that_could_not_run_says_why_in_its_line(tmp_path: Path) -> None:
    with EventDelayProbe(
        "http://127.0.0.1:9",
        "/api/v1",
        "nats://127.0.0.1:9",
        "00000000-0000-0000-0000-000000000000",
    ) as probe:
        pass

    assert probe.delays.error is not None
    assert "probe stopped early" in probe.delays.line()
    assert EventDelays().line().endswith("no samples")
