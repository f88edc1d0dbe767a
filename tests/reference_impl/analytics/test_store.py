"""The analytics store on a real DuckDB (in memory): facts in, exact figures out, whatever
the delivery does (ANL-002, ANL-003, ANL-004, ANL-011)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from refarch.event_contract import event_contract
from refarch.reference_impl.analytics import reports
from refarch.reference_impl.analytics.domain import report_range
from refarch.reference_impl.analytics.store import AnalyticsStore
from refarch.reference_impl.errors import InvalidInput
from tests.reference_impl.analytics.envelopes import Shop

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
NOVEMBER = report_range({"from": "2026-11-01", "to": "2026-12-01"})


def _history() -> list[dict[str, Any]]:
    """Two customers, two products, four orders: paid then refunded, shipped, pending
    cancelled, delivered, and a price and stock history."""
    shop = Shop()
    events: list[dict[str, Any]] = []
    ada, e = shop.register(T0)
    events.append(e)
    bob, e = shop.register(T0 + timedelta(days=2))
    events.append(e)
    kettle, e = shop.create_product(T0, price=2999, stock=10)
    events.append(e)
    mug, e = shop.create_product(T0, price=500, stock=50)
    events.append(e)
    events.append(shop.reprice(mug, T0 + timedelta(hours=1), 450))
    first, es = shop.place(ada, T0 + timedelta(hours=2), {kettle: 1, mug: 2})
    events += es
    events.append(shop.transition(first, T0 + timedelta(hours=3), "pending", "paid"))
    events += shop.cancel(first, T0 + timedelta(hours=4), "paid", "admin")
    second, es = shop.place(ada, T0 + timedelta(days=1), {mug: 4})
    events += es
    events.append(shop.transition(second, T0 + timedelta(days=1, hours=1), "pending", "paid"))
    events.append(shop.transition(second, T0 + timedelta(days=2), "paid", "shipped"))
    third, es = shop.place(bob, T0 + timedelta(days=2, hours=1), {kettle: 2})
    events += es
    events += shop.cancel(third, T0 + timedelta(days=2, hours=2), "pending")
    fourth, es = shop.place(bob, T0 + timedelta(days=3), {kettle: 1})
    events += es
    events.append(shop.transition(fourth, T0 + timedelta(days=3, hours=2), "pending", "paid"))
    events.append(shop.transition(fourth, T0 + timedelta(days=4), "paid", "shipped"))
    events.append(shop.transition(fourth, T0 + timedelta(days=5), "shipped", "delivered"))
    events.append(shop.stock_change(mug, T0 + timedelta(days=6), -40, "adjustment", None))
    return events


def _figures(store: AnalyticsStore) -> dict[str, Any]:
    con = store.connection
    return {
        "daily": reports.sales(con, NOVEMBER, "day"),
        "weekly": reports.sales(con, NOVEMBER, "week"),
        "top": reports.top_products(con, NOVEMBER, by="revenue", currency="EUR", limit=10),
        "funnel": reports.funnel(con, NOVEMBER),
        "customers": reports.customers(con, NOVEMBER, within_days=2),
        "low": reports.low_stock(con, threshold=10, category_id=None, limit=10, offset=0),
    }


@pytest.fixture
def store() -> AnalyticsStore:
    return AnalyticsStore.open(None)


def test_the_test_envelopes_keep_the_event_contract() -> None:
    contract = event_contract()
    for envelope in _history():
        assert contract[envelope["type"]].schema_errors(envelope) == []


def test_anl_002_sales_add_up_the_lines_cancellations_and_refunds(store: AnalyticsStore) -> None:
    store.apply(_history())
    monthly = reports.sales(store.connection, NOVEMBER, "month")
    assert len(monthly) == 1
    row = monthly[0]
    # orders: 2999 + 2*450 (refunded), 4*450, 2*2999 (cancelled while pending), 2999
    assert (row.orders, row.units) == (4, 1 + 2 + 4 + 2 + 1)
    assert row.revenue == 3899 + 1800 + 5998 + 2999
    assert (row.cancellations, row.cancelled_revenue) == (2, 3899 + 5998)
    assert row.refunds == 3899  # only the order cancelled after it was paid
    assert row.net_revenue == 1800 + 2999


def test_anl_003_a_redelivered_event_changes_no_figure(store: AnalyticsStore) -> None:
    history = _history()
    first = store.apply(history)
    before = _figures(store)
    again = store.apply(history[3:9] + history[:2])  # a redelivered batch
    within = store.apply(history[:1] * 3)  # the same event three times in one batch
    assert (first.applied, first.duplicates) == (len(history), 0)
    assert (again.applied, again.duplicates) == (0, 8)
    assert (within.applied, within.duplicates) == (0, 3)
    assert _figures(store) == before
    assert reports.progress(store.connection).events_applied == len(history)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_anl_011_any_delivery_order_gives_the_same_figures(seed: int) -> None:
    history = _history()
    in_order = AnalyticsStore.open(None)
    in_order.apply(history)
    shuffled = history[:]
    random.Random(seed).shuffle(shuffled)
    out_of_order = AnalyticsStore.open(None)
    for start in range(0, len(shuffled), 4):  # small batches, late events included
        out_of_order.apply(shuffled[start : start + 4])
    assert _figures(out_of_order) == _figures(in_order)


def test_anl_011_an_older_stock_level_never_overwrites_a_newer_one(store: AnalyticsStore) -> None:
    shop = Shop()
    product, created = shop.create_product(T0, price=100, stock=3)
    lower = shop.stock_change(product, T0 + timedelta(minutes=1), -2, "adjustment", None)
    higher = shop.stock_change(product, T0 + timedelta(minutes=2), 20, "adjustment", None)
    store.apply([higher, created, lower])  # the newest arrives first
    rows, total = reports.low_stock(
        store.connection, threshold=100, category_id=None, limit=10, offset=0
    )
    assert total == 1
    assert rows[0].stock == 21


def test_anl_004_periods_are_cut_at_midnight_in_the_requested_zone(
    store: AnalyticsStore,
) -> None:
    shop = Shop()
    user, registered = shop.register(T0)
    product, created = shop.create_product(T0, price=1000, stock=10)
    # 23:30 UTC on 30 November is already 1 December in Berlin (UTC+1).
    _, late = shop.place(user, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), {product: 1})
    store.apply([registered, created, *late])
    utc = reports.sales(store.connection, NOVEMBER, "day")
    berlin_november = report_range(
        {"from": "2026-11-01", "to": "2026-12-01", "tz": "Europe/Berlin"}
    )
    berlin_december = report_range(
        {"from": "2026-12-01", "to": "2026-12-02", "tz": "Europe/Berlin"}
    )
    assert [row.period_start.isoformat() for row in utc] == ["2026-11-30"]
    assert reports.sales(store.connection, berlin_november, "day") == []
    december = reports.sales(store.connection, berlin_december, "day")
    assert [(row.period_start.isoformat(), row.orders) for row in december] == [("2026-12-01", 1)]


def test_anl_006_funnel_counts_reached_states_and_median_times(store: AnalyticsStore) -> None:
    store.apply(_history())
    funnel = reports.funnel(store.connection, NOVEMBER)
    assert (funnel.placed, funnel.paid, funnel.shipped, funnel.delivered) == (4, 3, 2, 1)
    assert funnel.cancelled == 2
    assert funnel.placed_to_paid == 3600.0  # one, one and two hours: the median is one
    assert funnel.shipped_to_delivered == 86400.0


def test_anl_007_new_customers_who_order_within_n_days(store: AnalyticsStore) -> None:
    store.apply(_history())
    # Ada registered at T0 and ordered 2 hours later; Bob registered at T0+2d and ordered
    # 1 hour later: both within 2 days.
    assert reports.customers(store.connection, NOVEMBER, within_days=2).ordered_within == 2
    one_day_range = report_range({"from": "2026-11-25", "to": "2026-11-26"})
    figures = reports.customers(store.connection, one_day_range, within_days=1)
    assert (figures.new_customers, figures.ordered_within) == (1, 1)


def test_anl_012_a_range_that_is_empty_too_long_or_in_no_zone_is_refused() -> None:
    for query, field in (
        ({"from": "2026-11-02", "to": "2026-11-02"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"from": "2026-11-01", "to": "2026-11-02", "tz": "Mars/Olympus"}, "tz"),
    ):
        with pytest.raises(InvalidInput) as refused:
            report_range(query)
        assert refused.value.extensions["errors"][0]["field"] == field


def test_anl_011_a_registration_counts_whatever_shares_its_batch(store: AnalyticsStore) -> None:
    shop = Shop()
    kept, registered = shop.register(T0)
    gone, registered_too = shop.register(T0)
    deleted = shop.envelope("user.deleted", gone, T0 + timedelta(hours=1), {"user_id": gone})
    promoted = shop.envelope(
        "user.updated",
        kept,
        T0 + timedelta(hours=2),
        {
            "user_id": kept,
            "email": "a@example.com",
            "role": "admin",
            "status": "active",
            "changed": ["role"],
        },
    )
    store.apply([deleted, registered_too, promoted, registered])  # late registrations
    # the deleted account still registered in November; the promoted one is no customer now
    assert reports.customers(store.connection, NOVEMBER, within_days=1).new_customers == 1
