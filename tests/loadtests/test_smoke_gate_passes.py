"""The smoke gate passes against the reference implementation.

Budgets are the specs' x-slo loosened for a shared 2-core test box (shared_runner_thresholds.toml):
the production budgets are not a fair bar while other test workers compete for the same cores.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.loadtests.conftest import RunLoad, admin_of
from tests.loadtests.faults_and_budgets import SHARED_RUNNER_BUDGET
from tests.support.server import ServerHandle

#: Every journey must have run: anonymous browsing, sign-up and login, signed-in ordering.
JOURNEY_OPERATIONS = {
    "listProducts", "getProduct", "listCategories", "getCategory",
    "registerUser", "login", "getMyProfile",
    "placeOrder", "getOrder", "listMyOrders", "cancelOrder",
}  # fmt: skip
#: The admin dashboard is one user reading a random report every few seconds: in a 15 s
#: smoke run it reads some of these, and at least one.
DASHBOARD_OPERATIONS = {
    "getSalesReport", "getTopProducts", "getOrderFunnel", "getCustomerReport",
    "listLowStockProducts", "getAnalyticsFreshness",
}  # fmt: skip


@pytest.mark.slow
def test_smoke_gate_passes_against_the_reference_implementation(
    shop: ServerHandle, run_load: RunLoad
) -> None:
    result = run_load(
        shop.base_url,
        "--profile",
        "smoke",
        "--thresholds",
        str(SHARED_RUNNER_BUDGET),
        admin=admin_of(shop),
    )

    assert result.exit_code == 0, result.output
    verdict = result.verdict()
    assert verdict["passed"] is True
    ran = {op["operation"] for op in verdict["operations"]}
    assert ran - DASHBOARD_OPERATIONS == JOURNEY_OPERATIONS
    assert ran & DASHBOARD_OPERATIONS, "the admin dashboard journey ran"
    assert all(op["observed"]["failures"] == 0 for op in verdict["operations"]), result.output
    assert "PASS: load gate (smoke profile, 10 users, 15 s)" in result.output
    for name in ("verdict.md", "verdict.json", "locust.html", "report.html"):
        assert (result.report_dir / name).stat().st_size > 0
    # the charts: the run as a whole and every operation, each with its latency percentiles
    # drawn from Locust's stats history, embedded in the Markdown verdict and the HTML page
    charts = {path.stem for path in (result.report_dir / "charts").glob("*.svg")}
    assert charts == {"overall", *ran}
    for name in ("overall", "placeOrder"):
        svg = ET.parse(result.report_dir / "charts" / f"{name}.svg").getroot()
        drawn = {group.get("id") for group in svg.iter("{http://www.w3.org/2000/svg}g")}
        assert {"series-p50", "series-p95", "series-p99", "series-rps"} <= drawn
    assert "threshold-p95" in drawn  # placeOrder has a p95 budget
    markdown = (result.report_dir / "verdict.md").read_text(encoding="utf-8")
    assert "](charts/overall.svg)" in markdown and "](charts/placeOrder.svg)" in markdown
    page = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == len(charts)
