"""HTTP handlers for the catalog spec (specs/openapi/catalog/v1.yaml)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from reference_impl.catalog.domain import Category, NewCategory, NewProduct, Product, ProductFilter
from reference_impl.money import Money
from reference_impl.platform.contract import ApiRequest, ApiResponse, operation
from reference_impl.representation import API_PREFIX, iso, page, page_params, path_id, query_id

__all__: list[str] = []


def category_json(category: Category) -> dict[str, Any]:
    return {
        "id": str(category.id),
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "created_at": iso(category.created_at),
        "updated_at": iso(category.updated_at),
    }


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": str(product.id),
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": product.price.as_json(),
        "category_id": None if product.category_id is None else str(product.category_id),
        "stock": product.stock,
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
    }


def _optional_uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


# --- categories ----------------------------------------------------------------------------


@operation("listCategories")
async def list_categories(request: ApiRequest) -> ApiResponse:
    limit, offset = page_params(request)
    categories, total = await request.services.catalog.list_categories(limit=limit, offset=offset)
    body = page(map(category_json, categories), limit=limit, offset=offset, total=total)
    return ApiResponse(200, body)


@operation("createCategory")
async def create_category(request: ApiRequest) -> ApiResponse:
    body = request.body
    category = await request.services.catalog.create_category(
        NewCategory(slug=body["slug"], name=body["name"], description=body.get("description"))
    )
    location = f"{API_PREFIX}/categories/{category.id}"
    return ApiResponse(201, category_json(category), {"Location": location})


@operation("getCategory")
async def get_category(request: ApiRequest) -> ApiResponse:
    category = await request.services.catalog.get_category(path_id(request, "category_id"))
    return ApiResponse(200, category_json(category))


@operation("updateCategory")
async def update_category(request: ApiRequest) -> ApiResponse:
    category = await request.services.catalog.update_category(
        path_id(request, "category_id"), request.body
    )
    return ApiResponse(200, category_json(category))


@operation("deleteCategory")
async def delete_category(request: ApiRequest) -> ApiResponse:
    await request.services.catalog.delete_category(path_id(request, "category_id"))
    return ApiResponse(204)


# --- products ------------------------------------------------------------------------------


@operation("listProducts")
async def list_products(request: ApiRequest) -> ApiResponse:
    limit, offset = page_params(request)
    query = request.query
    criteria = ProductFilter(
        category_id=query_id(request, "category_id"),
        min_price=query.get("min_price"),
        max_price=query.get("max_price"),
        q=query.get("q"),
        in_stock=query.get("in_stock"),
        sort=query.get("sort") or "name",
    )
    products, total = await request.services.catalog.list_products(
        criteria, limit=limit, offset=offset
    )
    body = page(map(product_json, products), limit=limit, offset=offset, total=total)
    return ApiResponse(200, body)


@operation("createProduct")
async def create_product(request: ApiRequest) -> ApiResponse:
    body = request.body
    product = await request.services.catalog.create_product(
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


@operation("getProduct")
async def get_product(request: ApiRequest) -> ApiResponse:
    product = await request.services.catalog.get_product(path_id(request, "product_id"))
    return ApiResponse(200, product_json(product))


@operation("updateProduct")
async def update_product(request: ApiRequest) -> ApiResponse:
    changes: dict[str, Any] = {}
    for key, value in request.body.items():
        if key == "price":
            changes["price_amount"] = value["amount"]
            changes["currency"] = value["currency"]
        elif key == "category_id":
            changes["category_id"] = _optional_uuid(value)
        else:
            changes[key] = value
    product = await request.services.catalog.update_product(path_id(request, "product_id"), changes)
    return ApiResponse(200, product_json(product))


@operation("deleteProduct")
async def delete_product(request: ApiRequest) -> ApiResponse:
    await request.services.catalog.delete_product(path_id(request, "product_id"))
    return ApiResponse(204)


@operation("adjustStock")
async def adjust_stock(request: ApiRequest) -> ApiResponse:
    product = await request.services.catalog.adjust_stock(
        path_id(request, "product_id"), request.body["delta"]
    )
    return ApiResponse(200, product_json(product))
