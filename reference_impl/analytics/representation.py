"""The analytics spec's JSON shapes, built from the report rows. Standard library only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from refarch.reference_impl.analytics.domain import (
    CustomerFigures,
    Freshness,
    Funnel,
    LowStockRow,
    ReportRange,
    SalesRow,
    TopProductRow,
    ratio,
)
from refarch.reference_impl.representation import iso

__all__ = [
    "customers_json",
    "freshness_json",
    "funnel_json",
    "low_stock_json",
    "sales_json",
    "top_products_json",
]


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def _id(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _sales_row(row: SalesRow) -> dict[str, Any]:
    return {
        "period_start": row.period_start.isoformat(),
        "currency": row.currency,
        "orders": row.orders,
        "units": row.units,
        "revenue": _money(row.revenue, row.currency),
        "cancellations": row.cancellations,
        "cancelled_revenue": _money(row.cancelled_revenue, row.currency),
        "refunds": _money(row.refunds, row.currency),
        "net_revenue": _money(row.net_revenue, row.currency),
    }


def sales_json(report: ReportRange, granularity: str, rows: list[SalesRow]) -> dict[str, Any]:
    return {
        "range": report.as_json(),
        "granularity": granularity,
        "items": [_sales_row(row) for row in rows],
    }


def top_products_json(report: ReportRange, by: str, rows: list[TopProductRow]) -> dict[str, Any]:
    return {
        "range": report.as_json(),
        "by": by,
        "items": [
            {
                "product_id": str(row.product_id),
                "sku": row.sku,
                "name": row.name,
                "category_id": _id(row.category_id),
                "orders": row.orders,
                "units": row.units,
                "revenue": _money(row.revenue, row.currency),
            }
            for row in rows
        ],
    }


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def funnel_json(report: ReportRange, funnel: Funnel) -> dict[str, Any]:
    return {
        "range": report.as_json(),
        "placed": funnel.placed,
        "paid": funnel.paid,
        "shipped": funnel.shipped,
        "delivered": funnel.delivered,
        "cancelled": funnel.cancelled,
        "conversion": {
            "paid": ratio(funnel.paid, funnel.placed),
            "shipped": ratio(funnel.shipped, funnel.paid),
            "delivered": ratio(funnel.delivered, funnel.shipped),
        },
        "median_seconds": {
            "placed_to_paid": _seconds(funnel.placed_to_paid),
            "paid_to_shipped": _seconds(funnel.paid_to_shipped),
            "shipped_to_delivered": _seconds(funnel.shipped_to_delivered),
        },
    }


def customers_json(
    report: ReportRange, within_days: int, figures: CustomerFigures
) -> dict[str, Any]:
    return {
        "range": report.as_json(),
        "within_days": within_days,
        "new_customers": figures.new_customers,
        "ordered_within": figures.ordered_within,
        "share": ratio(figures.ordered_within, figures.new_customers),
    }


def low_stock_json(row: LowStockRow) -> dict[str, Any]:
    price = None
    if row.price_amount is not None and row.currency is not None:
        price = _money(row.price_amount, row.currency)
    return {
        "product_id": str(row.product_id),
        "sku": row.sku,
        "name": row.name,
        "category_id": _id(row.category_id),
        "stock": row.stock,
        "price": price,
    }


def freshness_json(freshness: Freshness) -> dict[str, Any]:
    return {
        "events_applied": freshness.events_applied,
        "duplicates_ignored": freshness.duplicates_ignored,
        "last_event_at": None if freshness.last_event_at is None else iso(freshness.last_event_at),
        "lag_events": freshness.lag_events,
        "lag_seconds": freshness.lag_seconds,
    }
