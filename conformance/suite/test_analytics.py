"""Analytics reports move by exactly what the run did (black-box, ANL-…).

The run creates a category of its own and products in it, takes the customer the run
registered (the registration check's account), places a scripted
set of orders (one shipped, one cancelled while pending, one paid and then cancelled by an
administrator), and waits until the reports show them. Every figure is filtered by that
category, so other traffic on a shared target cannot disturb it; time ranges cover the
days around now, in UTC and in two far-apart time zones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_problem, expect_status, json_object
from refarch.conformance.polling import read_report, wait_for_report
from refarch.conformance.shop import create_category, create_product, place_order

pytestmark = [
    pytest.mark.services("analytics", "orders", "catalog", "users"),
    pytest.mark.layer("scenarios"),
]

KETTLE, MUG = 2999, 450
OPERATIONS = {
    "/admin/analytics/sales": {"from": "2026-01-01", "to": "2026-01-02"},
    "/admin/analytics/top-products": {"from": "2026-01-01", "to": "2026-01-02"},
    "/admin/analytics/funnel": {"from": "2026-01-01", "to": "2026-01-02"},
    "/admin/analytics/customers": {"from": "2026-01-01", "to": "2026-01-02"},
    "/admin/analytics/low-stock": {},
    "/admin/analytics/freshness": {},
}


@dataclass(frozen=True)
class Scenario:
    category_id: str
    kettle: str
    mug: str
    placed_at: datetime  # when the first order was placed (its created_at)


def _around_today(**more: Any) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    return {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=2)).isoformat(),
        **more,
    }


def _total(rows: list[dict[str, Any]], key: str) -> int:
    return sum(row[key]["amount"] if isinstance(row[key], dict) else row[key] for row in rows)


@pytest.fixture(scope="module")
def scenario(api: ApiClient, admin: Actor, cleanup: Cleanup, registered: Actor) -> Scenario:
    category = create_category(api, admin, cleanup)
    kettle = create_product(api, admin, cleanup, stock=10, price=KETTLE, category_id=category["id"])
    mug = create_product(api, admin, cleanup, stock=5, price=MUG, category_id=category["id"])
    outsider = create_product(api, admin, cleanup, stock=10, price=100)
    # a customer new in this run (ANL-007 counts new ones): the account the registration
    # check made, since every registration counts against the suite's address
    customer = registered

    def order(*lines: tuple[str, int]) -> dict[str, Any]:
        placed = expect_status(place_order(api, customer, *lines), 201, why="order placed")
        return json_object(placed)

    def move(order_id: str, status: str) -> None:
        response = api.post(
            f"/orders/{order_id}/transitions", json={"to": status}, headers=admin.headers
        )
        expect_status(response, 200, why=f"an administrator moves an order to {status}")

    shipped = order((kettle["id"], 2), (mug["id"], 1))
    move(shipped["id"], "paid")
    move(shipped["id"], "shipped")
    dropped = order((kettle["id"], 1))
    expect_status(
        api.post(f"/orders/{dropped['id']}/cancel", headers=customer.headers),
        200,
        why="the owner cancels a pending order",
    )
    refunded = order((mug["id"], 2))
    move(refunded["id"], "paid")
    move(refunded["id"], "cancelled")
    order((outsider["id"], 1))  # outside the category: no figure may move
    # Wait until the last of the scripted changes shows in the category's sales.
    wait_for_report(
        api,
        admin,
        "/admin/analytics/sales",
        _around_today(granularity="month", category_id=category["id"]),
        lambda body: _total(body["items"], "cancellations") >= 2,
    )
    placed_at = datetime.fromisoformat(shipped["created_at"].replace("Z", "+00:00"))
    return Scenario(category["id"], kettle["id"], mug["id"], placed_at)


@pytest.mark.requirement("ANL-002", "ANL-003")
def test_sales_move_by_exactly_the_scripted_orders(
    api: ApiClient, admin: Actor, scenario: Scenario
) -> None:
    params = _around_today(granularity="month", category_id=scenario.category_id)
    rows = read_report(api, admin, "/admin/analytics/sales", params)["items"]
    got = {key: _total(rows, key) for key in ("orders", "units", "cancellations")} | {
        key: _total(rows, key) for key in ("revenue", "cancelled_revenue", "refunds", "net_revenue")
    }
    wanted = {
        "orders": 3,
        "units": 2 + 1 + 1 + 2,
        "cancellations": 2,
        "revenue": 2 * KETTLE + MUG + KETTLE + 2 * MUG,
        "cancelled_revenue": KETTLE + 2 * MUG,
        "refunds": 2 * MUG,  # only the order that had been paid
        "net_revenue": 2 * KETTLE + MUG,
    }
    expect(
        got == wanted,
        f"the category's sales equal the scripted orders exactly (each event applied once): {wanted}",
        actual=str(got),
    )
    time.sleep(1.0)  # a redelivered or late duplicate would show up as a second count
    again = read_report(api, admin, "/admin/analytics/sales", params)["items"]
    expect(
        _total(again, "orders") == 3 and _total(again, "revenue") == wanted["revenue"],
        "the figures stay exact once the consumer has caught up",
        actual=str(again),
    )


@pytest.mark.requirement("ANL-005")
def test_top_products_rank_units_of_orders_not_cancelled(
    api: ApiClient, admin: Actor, scenario: Scenario
) -> None:
    params = _around_today(category_id=scenario.category_id, by="units")
    items = read_report(api, admin, "/admin/analytics/top-products", params)["items"]
    ranking = [(item["product_id"], item["units"], item["revenue"]["amount"]) for item in items]
    expect(
        ranking == [(scenario.kettle, 2, 2 * KETTLE), (scenario.mug, 1, MUG)],
        "kettle (2 units) then mug (1 unit): the cancelled orders' units do not count",
        actual=str(ranking),
    )
    limited = read_report(api, admin, "/admin/analytics/top-products", {**params, "limit": 1})
    expect(len(limited["items"]) == 1, "limit caps the ranking", actual=str(limited))


@pytest.mark.requirement("ANL-006")
def test_funnel_counts_the_states_each_order_reached(
    api: ApiClient, admin: Actor, scenario: Scenario
) -> None:
    body = read_report(
        api, admin, "/admin/analytics/funnel", _around_today(category_id=scenario.category_id)
    )
    counts = [body[key] for key in ("placed", "paid", "shipped", "delivered", "cancelled")]
    expect(counts == [3, 2, 1, 0, 2], "placed 3, paid 2, shipped 1, delivered 0, cancelled 2",
           actual=str(counts))  # fmt: skip
    expect(
        body["conversion"] == {"paid": round(2 / 3, 6), "shipped": 0.5, "delivered": 0.0},
        "each conversion is a step's count over the previous step's",
        actual=str(body["conversion"]),
    )
    medians = body["median_seconds"]
    expect(
        medians["placed_to_paid"] is not None and medians["shipped_to_delivered"] is None,
        "a median where orders made the step, null where none did",
        actual=str(medians),
    )


@pytest.mark.requirement("ANL-007")
def test_the_new_customer_who_ordered_counts(
    api: ApiClient, admin: Actor, scenario: Scenario
) -> None:
    body = read_report(
        api,
        admin,
        "/admin/analytics/customers",
        _around_today(category_id=scenario.category_id, within_days=1),
    )
    expect(
        body["ordered_within"] == 1 and body["new_customers"] >= 1,
        "the run's customer registered and ordered in the category within a day",
        actual=str(body),
    )


@pytest.mark.requirement("ANL-008")
def test_low_stock_lists_exactly_the_products_at_or_below_the_threshold(
    api: ApiClient, admin: Actor, scenario: Scenario
) -> None:
    # kettle: 10 - 2 - 1 + 1 (cancelled) = 8; mug: 5 - 1 - 2 + 2 (cancelled) = 4
    params = {"category_id": scenario.category_id, "threshold": 8, "limit": 1}
    first = wait_for_report(
        api, admin, "/admin/analytics/low-stock", params, lambda b: b["page"]["total"] == 2
    )
    second = read_report(api, admin, "/admin/analytics/low-stock", {**params, "offset": 1})
    listed = [(i["product_id"], i["stock"]) for i in first["items"] + second["items"]]
    expect(
        listed == [(scenario.mug, 4), (scenario.kettle, 8)] and first["page"]["total"] == 2,
        "mug (4) then kettle (8), one per page, total 2",
        actual=str(listed),
    )
    below = read_report(api, admin, "/admin/analytics/low-stock", {**params, "threshold": 7})
    expect(
        [i["product_id"] for i in below["items"]] == [scenario.mug],
        "a product above the threshold is not listed",
        actual=str(below),
    )


def _local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


@pytest.mark.requirement("ANL-004")
def test_periods_are_days_in_the_requested_time_zone(
    api: ApiClient, admin: Actor, scenario: Scenario
) -> None:
    # 26 hours apart: in at least one of the two zones the local day differs from UTC's
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12", "UTC"):
        day = _local_day(scenario.placed_at, zone)
        for start, expected in ((day, True), (day + timedelta(days=1), False),
                                (day - timedelta(days=1), False)):  # fmt: skip
            params = {
                "from": start.isoformat(),
                "to": (start + timedelta(days=1)).isoformat(),
                "tz": zone,
                "category_id": scenario.category_id,
            }
            rows = read_report(api, admin, "/admin/analytics/sales", params)["items"]
            found = [row["period_start"] for row in rows]
            expect(
                (found == [day.isoformat()]) if expected else (found == []),
                f"the orders of the run fall on {day} in {zone} and on no other day there",
                actual=f"range {start} in {zone}: periods {found}",
            )


@pytest.mark.requirement("ANL-009")
def test_the_lag_reaches_zero_and_counts_applied_events(
    api: ApiClient, admin: Actor, scenario: Scenario
) -> None:
    body = wait_for_report(
        api, admin, "/admin/analytics/freshness", {}, lambda b: b["lag_events"] == 0
    )
    expect(
        body["lag_events"] == 0 and body["lag_seconds"] == 0 and body["events_applied"] > 0,
        "after the run's changes the consumer catches up: lag 0 in events and seconds",
        actual=str(body),
    )


@pytest.mark.requirement("ANL-001")
def test_reports_are_for_administrators_only(api: ApiClient, alice: Actor) -> None:
    for path, params in OPERATIONS.items():
        expect_problem(api.get(path, params=params), 401, why=f"{path} needs a token")
        expect_problem(
            api.get(path, params=params, headers=alice.headers),
            403,
            why=f"{path} is for administrators only",
        )


@pytest.mark.requirement("ANL-012")
def test_a_bad_range_names_the_parameter(api: ApiClient, admin: Actor) -> None:
    for params, field in (
        ({"from": "2026-11-02", "to": "2026-11-01"}, "/to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "/to"),
        ({"from": "2026-11-01", "to": "2026-11-02", "tz": "Mars/Olympus_Mons"}, "/tz"),
    ):
        response = api.get("/admin/analytics/sales", params=params, headers=admin.headers)
        problem = expect_problem(response, 422, why="a range the spec refuses")
        named = [(e.get("in"), e.get("field")) for e in problem.get("errors") or []]
        expect(("query", field) in named, f"the problem names query {field}", response)
