"""Analytics under /api/v2 (ADR 0044): version 2 is version 1's path items by reference,
so the same reports answer there, with the same figures and the same access rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from refarch.nats_server import temporary
from tests.support.server import ServerHandle, reference_server
from tests.support.shop import login, register


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[ServerHandle]:
    with (
        temporary(tmp_path / "nats") as broker,
        reference_server(tmp_path, database_url, env={"NATS_URL": broker.url}) as handle,
    ):
        yield handle


def test_anl_v2_serves_the_v1_reports_with_the_same_figures_and_rules(
    server: ServerHandle,
) -> None:
    today = datetime.now(UTC).date()
    params = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    with (
        httpx.Client(base_url=server.api_url, timeout=10) as v1,
        httpx.Client(base_url=f"{server.base_url}/api/v2", timeout=10) as v2,
    ):
        admin = login(v1, server.admin_email, server.admin_password)
        _, customer = register(v1)
        for path in ("/admin/analytics/sales", "/admin/analytics/funnel"):
            old = v1.get(path, headers=admin, params=params)
            new = v2.get(path, headers=admin, params=params)
            assert (old.status_code, new.status_code) == (200, 200), new.text
            assert new.json() == old.json()
        refused = v2.get("/admin/analytics/freshness", headers=customer)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        anonymous = v2.get("/admin/analytics/freshness")
        assert anonymous.status_code == 401, anonymous.text
        fresh = v2.get("/admin/analytics/freshness", headers=admin)
        assert fresh.status_code == 200, fresh.text
        assert set(fresh.json()) >= {"events_applied", "lag_events"}
