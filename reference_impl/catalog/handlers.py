"""HTTP handlers for the catalog spec (specs/openapi/catalog/v1.yaml), bound to the service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from refarch.reference_impl.catalog.domain import NewCategory, NewProduct, ProductFilter
from refarch.reference_impl.catalog.representation import category_json, product_json
from refarch.reference_impl.catalog.service import CatalogService
from refarch.reference_impl.money import Money
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Operations
from refarch.reference_impl.representation import API_PREFIX, page

__all__ = ["CatalogHandlers"]


def _optional_uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


class CatalogHandlers:
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def operations(self) -> Operations:
        return {
            "listCategories": self.list_categories,
            "createCategory": self.create_category,
            "getCategory": self.get_category,
            "updateCategory": self.update_category,
            "deleteCategory": self.delete_category,
            "listProducts": self.list_products,
            "createProduct": self.create_product,
            "getProduct": self.get_product,
            "updateProduct": self.update_product,
            "deleteProduct": self.delete_product,
            "adjustStock": self.adjust_stock,
        }

    # --- categories ------------------------------------------------------------------------

    async def list_categories(self, request: ApiRequest) -> ApiResponse:
        limit, offset = request.page_params()
        categories, total = await self._catalog.list_categories(limit=limit, offset=offset)
        body = page(map(category_json, categories), limit=limit, offset=offset, total=total)
        return ApiResponse(200, body)

    async def create_category(self, request: ApiRequest) -> ApiResponse:
        body = request.body
        category = await self._catalog.create_category(
            NewCategory(slug=body["slug"], name=body["name"], description=body.get("description"))
        )
        location = f"{API_PREFIX}/categories/{category.id}"
        return ApiResponse(201, category_json(category), {"Location": location})

    async def get_category(self, request: ApiRequest) -> ApiResponse:
        category = await self._catalog.get_category(request.path_id("category_id"))
        return ApiResponse(200, category_json(category))

    async def update_category(self, request: ApiRequest) -> ApiResponse:
        category = await self._catalog.update_category(request.path_id("category_id"), request.body)
        return ApiResponse(200, category_json(category))

    async def delete_category(self, request: ApiRequest) -> ApiResponse:
        await self._catalog.delete_category(request.path_id("category_id"))
        return ApiResponse(204)

    # --- products --------------------------------------------------------------------------

    async def list_products(self, request: ApiRequest) -> ApiResponse:
        limit, offset = request.page_params()
        query = request.query
        criteria = ProductFilter(
            category_id=request.query_id("category_id"),
            min_price=query.get("min_price"),
            max_price=query.get("max_price"),
            q=query.get("q"),
            in_stock=query.get("in_stock"),
            sort=query.get("sort") or "name",
        )
        products, total = await self._catalog.list_products(criteria, limit=limit, offset=offset)
        body = page(map(product_json, products), limit=limit, offset=offset, total=total)
        return ApiResponse(200, body)

    async def create_product(self, request: ApiRequest) -> ApiResponse:
        body = request.body
        product = await self._catalog.create_product(
            NewProduct(
                sku=body["sku"],
                name=body["name"],
                description=body.get("description"),
                price=Money(body["price"]["amount"], body["price"]["currency"]),
                category_id=_optional_uuid(body.get("category_id")),
                stock=body.get("stock", 0),
            )
        )
        location = f"{API_PREFIX}/products/{product.id}"
        return ApiResponse(201, product_json(product), {"Location": location})

    async def get_product(self, request: ApiRequest) -> ApiResponse:
        product = await self._catalog.get_product(request.path_id("product_id"))
        return ApiResponse(200, product_json(product))

    async def update_product(self, request: ApiRequest) -> ApiResponse:
        changes: dict[str, Any] = {}
        for key, value in request.body.items():
            if key == "price":
                changes["price_amount"] = value["amount"]
                changes["currency"] = value["currency"]
            elif key == "category_id":
                changes["category_id"] = _optional_uuid(value)
            else:
                changes[key] = value
        product = await self._catalog.update_product(request.path_id("product_id"), changes)
        return ApiResponse(200, product_json(product))

    async def delete_product(self, request: ApiRequest) -> ApiResponse:
        await self._catalog.delete_product(request.path_id("product_id"))
        return ApiResponse(204)

    async def adjust_stock(self, request: ApiRequest) -> ApiResponse:
        product = await self._catalog.adjust_stock(
            request.path_id("product_id"), request.body["delta"]
        )
        return ApiResponse(200, product_json(product))
