"""Liveness and readiness, as far as a client can observe them."""

from __future__ import annotations

import pytest

from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_body

pytestmark = [pytest.mark.services("operations"), pytest.mark.layer("scenarios")]


@pytest.mark.requirement("OPS-001")
def test_liveness_answers_ok(api: ApiClient) -> None:
    # the database-outage half of OPS-001 needs control over the target's database
    response = api.get("/health")
    expect(
        json_body(expect_status(response, 200, why="the process runs"))["status"] == "ok",
        "status ok",
        response,
    )


@pytest.mark.requirement("OPS-002")
def test_readiness_reports_database_and_migrations(api: ApiClient) -> None:
    response = api.get("/ready")
    body = json_body(
        expect_status(response, 200, why="the target is migrated and its database answers")
    )
    expect(
        body == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}},
        "both checks ok",
        response,
    )
