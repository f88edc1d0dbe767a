"""HTTP handlers for the analytics spec (specs/openapi/analytics/v1.yaml).

The router has already checked the caller is an administrator (``x-required-role``) and
the query against the spec (types, bounds, enums, defaults); what the schema cannot say
(``to`` after ``from``, a real time zone) is checked by ``domain.report_range``.
"""

from __future__ import annotations

from refarch.reference_impl.analytics import representation
from refarch.reference_impl.analytics.domain import report_range
from refarch.reference_impl.analytics.service import AnalyticsService
from refarch.reference_impl.money import PLATFORM_CURRENCY
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Operations
from refarch.reference_impl.representation import page

__all__ = ["AnalyticsHandlers"]


class AnalyticsHandlers:
    def __init__(self, analytics: AnalyticsService) -> None:
        self._analytics = analytics

    def operations(self) -> Operations:
        return {
            "getSalesReport": self.sales,
            "getTopProducts": self.top_products,
            "getOrderFunnel": self.funnel,
            "getCustomerReport": self.customers,
            "listLowStockProducts": self.low_stock,
            "getAnalyticsFreshness": self.freshness,
        }

    async def sales(self, request: ApiRequest) -> ApiResponse:
        report = report_range(request.query)
        granularity = str(request.query.get("granularity", "day"))
        rows = await self._analytics.sales(report, granularity)
        return ApiResponse(200, representation.sales_json(report, granularity, rows))

    async def top_products(self, request: ApiRequest) -> ApiResponse:
        report = report_range(request.query)
        by = str(request.query.get("by", "units"))
        rows = await self._analytics.top_products(
            report,
            by=by,
            currency=str(request.query.get("currency", PLATFORM_CURRENCY)),
            limit=int(request.query.get("limit", 20)),
        )
        return ApiResponse(200, representation.top_products_json(report, by, rows))

    async def funnel(self, request: ApiRequest) -> ApiResponse:
        report = report_range(request.query)
        funnel = await self._analytics.funnel(report)
        return ApiResponse(200, representation.funnel_json(report, funnel))

    async def customers(self, request: ApiRequest) -> ApiResponse:
        report = report_range(request.query)
        within_days = int(request.query.get("within_days", 30))
        figures = await self._analytics.customers(report, within_days=within_days)
        return ApiResponse(200, representation.customers_json(report, within_days, figures))

    async def low_stock(self, request: ApiRequest) -> ApiResponse:
        limit, offset = request.page_params()
        rows, total = await self._analytics.low_stock(
            threshold=int(request.query.get("threshold", 5)),
            category_id=request.query_id("category_id"),
            limit=limit,
            offset=offset,
        )
        items = map(representation.low_stock_json, rows)
        return ApiResponse(200, page(items, limit=limit, offset=offset, total=total))

    async def freshness(self, request: ApiRequest) -> ApiResponse:
        freshness = await self._analytics.freshness()
        return ApiResponse(200, representation.freshness_json(freshness))
