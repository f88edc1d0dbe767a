"""Categories, products, prices, stock and the product list's filters and order."""

from __future__ import annotations

from typing import Any

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import (
    expect,
    expect_problem,
    expect_status,
    json_body,
    named_fields,
)
from refarch.conformance.shop import create_category, create_product, get_product
from refarch.conformance.testdata import MISSING_ID, RUN_TAG, random_sku, random_slug

pytestmark = [pytest.mark.services("catalog", "users"), pytest.mark.layer("scenarios")]


@pytest.mark.requirement("CAT-001")
def test_the_catalog_is_browsable_without_an_account(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    category = create_category(api, admin, cleanup)
    product = create_product(api, admin, cleanup, category_id=category["id"])
    for path in (
        "/categories",
        f"/categories/{category['id']}",
        "/products",
        f"/products/{product['id']}",
    ):
        expect_status(api.get(path), 200, why=f"GET {path} is public")


@pytest.mark.requirement("CAT-002")
def test_prices_are_exact_integer_minor_units(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, price=123456789)
    expect(
        get_product(api, product["id"])["price"] == {"amount": 123456789, "currency": "EUR"},
        "a price is returned exactly as it was set",
        None,
        str(product["price"]),
    )
    for amount in (19.99, -1, "1999", 10_000_000_001):
        body = {
            "sku": random_sku(),
            "name": "Bad price",
            "price": {"amount": amount, "currency": "EUR"},
        }
        response = api.post("/products", json=body, headers=admin.headers)
        if response.status_code == 201:
            cleanup.delete(f"/products/{response.json()['id']}")
        expect_problem(
            response, 422, why=f"a price amount of {amount!r} is not integer minor units in range"
        )


@pytest.mark.requirement("CAT-003")
def test_skus_and_slugs_are_unique(api: ApiClient, admin: Actor, cleanup: Cleanup) -> None:
    product = create_product(api, admin, cleanup)
    duplicate = {"sku": product["sku"], "name": "Copy", "price": {"amount": 1, "currency": "EUR"}}
    expect_problem(
        api.post("/products", json=duplicate, headers=admin.headers), 409, why="the SKU is in use"
    )
    first, second = create_category(api, admin, cleanup), create_category(api, admin, cleanup)
    again = api.post(
        "/categories", json={"slug": first["slug"], "name": "Copy"}, headers=admin.headers
    )
    expect_problem(again, 409, why="the slug is in use")
    rename = api.patch(
        f"/categories/{second['id']}", json={"slug": first["slug"]}, headers=admin.headers
    )
    expect_problem(rename, 409, why="renaming to a slug in use is refused")


@pytest.mark.requirement("CAT-004")
def test_categories_in_use_cannot_be_deleted(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    category = create_category(api, admin, cleanup)
    product = create_product(api, admin, cleanup, category_id=category["id"])
    refused = api.delete(f"/categories/{category['id']}", headers=admin.headers)
    expect_problem(refused, 409, why="products still reference the category")
    expect_status(api.get(f"/categories/{category['id']}"), 200, why="the category remains")
    expect_status(api.get(f"/products/{product['id']}"), 200, why="its products remain")


@pytest.mark.requirement("CAT-005")
def test_products_reference_existing_categories_only(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    body = {
        "sku": random_sku(),
        "name": "Orphan",
        "price": {"amount": 100, "currency": "EUR"},
        "category_id": MISSING_ID,
    }
    response = api.post("/products", json=body, headers=admin.headers)
    problem = expect_problem(response, 422, why="category_id names no category")
    expect(
        "category_id" in named_fields(problem),
        "an errors entry for field category_id",
        response,
    )


@pytest.mark.requirement("CAT-006")
def test_product_filters_are_exact(api: ApiClient, admin: Actor, cleanup: Cleanup) -> None:
    category = create_category(api, admin, cleanup)
    word = f"zq{RUN_TAG}filter"
    cheap = create_product(
        api, admin, cleanup, price=500, category_id=category["id"], name=f"Cheap {word}"
    )
    dear = create_product(
        api, admin, cleanup, price=5000, category_id=category["id"], name=f"Dear {word}"
    )
    empty = create_product(
        api, admin, cleanup, price=800, stock=0, category_id=category["id"], name=f"Empty {word}"
    )

    def ids(**params: Any) -> list[str]:
        response = api.get(
            "/products", params={"category_id": category["id"], "limit": 100, **params}
        )
        page = json_body(expect_status(response, 200, why="filters are valid"))
        expect(
            page["page"]["total"] == len(page["items"]), "page.total counts every match", response
        )
        return sorted(item["id"] for item in page["items"])

    expect(
        ids() == sorted([cheap["id"], dear["id"], empty["id"]]),
        "category_id selects the category's products",
    )
    expect(
        ids(min_price=500, max_price=800) == sorted([cheap["id"], empty["id"]]),
        "price bounds are inclusive",
    )
    expect(
        ids(in_stock="true") == sorted([cheap["id"], dear["id"]]),
        "in_stock=true leaves out empty products",
    )
    expect(ids(q=word) == sorted([cheap["id"], dear["id"], empty["id"]]), "q searches the name")
    expect(ids(q=word, max_price=600) == [cheap["id"]], "all filters apply together")


@pytest.mark.requirement("CAT-007")
def test_product_sorting_is_total_and_pages_neither_overlap_nor_skip(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    category = create_category(api, admin, cleanup)
    made = [
        create_product(api, admin, cleanup, price=price, category_id=category["id"])
        for price in (300, 100, 100, 200, 100)
    ]
    walked: list[dict[str, Any]] = []
    for offset in range(0, len(made), 2):
        response = api.get(
            "/products",
            params={"category_id": category["id"], "sort": "-price", "limit": 2, "offset": offset},
        )
        walked += json_body(expect_status(response, 200, why="sorted pages"))["items"]
    prices = [item["price"]["amount"] for item in walked]
    expect(
        prices == sorted(prices, reverse=True),
        "sort=-price orders by descending price",
        None,
        str(prices),
    )
    expect(
        sorted(item["id"] for item in walked) == sorted(p["id"] for p in made),
        "walking the pages returns every product exactly once (ties broken by id)",
        None,
        str([i["id"] for i in walked]),
    )


@pytest.mark.requirement("CAT-008")
def test_stock_never_goes_negative(api: ApiClient, admin: Actor, cleanup: Cleanup) -> None:
    product = create_product(api, admin, cleanup, stock=3)
    refused = api.post(
        f"/products/{product['id']}/stock-adjustments", json={"delta": -4}, headers=admin.headers
    )
    expect_problem(refused, 409, why="the adjustment would take stock below zero")
    expect(
        get_product(api, product["id"])["stock"] == 3, "a refused adjustment leaves stock unchanged"
    )
    applied = api.post(
        f"/products/{product['id']}/stock-adjustments",
        json={"delta": 5, "reason": "restock"},
        headers=admin.headers,
    )
    expect(
        json_body(expect_status(applied, 200, why="a valid adjustment"))["stock"] == 8,
        "stock is adjusted by delta",
        applied,
    )


@pytest.mark.requirement("CAT-010")
def test_deleted_products_and_categories_are_gone(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    category = create_category(api, admin, cleanup)
    product = create_product(api, admin, cleanup, category_id=category["id"])
    expect_status(
        api.get(f"/products/{product['id']}"), 200, why="the product exists before deletion"
    )
    expect_status(
        api.delete(f"/products/{product['id']}", headers=admin.headers),
        204,
        why="an admin deletes a product",
    )
    expect_problem(api.get(f"/products/{product['id']}"), 404, why="a deleted product is gone")
    listed = api.get("/products", params={"category_id": category["id"]})
    expect(json_body(listed)["items"] == [], "lists no longer contain a deleted product", listed)
    expect_status(
        api.delete(f"/categories/{category['id']}", headers=admin.headers),
        204,
        why="an unused category is deleted",
    )
    expect_problem(api.get(f"/categories/{category['id']}"), 404, why="a deleted category is gone")


@pytest.mark.requirement("CAT-011", "SEC-011")
def test_changes_are_visible_immediately_and_text_is_stored_literally(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # unusual but valid text: combining marks, astral-plane letters, RTL, SQL and LIKE metacharacters
    name = "Zo\u00eb \U0001d518\U0001d52b\U0001d526 \u05e9\u05dc\u05d5\u05dd \u2713 ' OR 1=1 -- 100%_off"
    category = create_category(api, admin, cleanup, name=name)
    expect(
        json_body(api.get(f"/categories/{category['id']}")) == category,
        "getCategory returns what createCategory did",
    )
    product = create_product(
        api, admin, cleanup, name=name, description="e\u0301 & <b>bold</b> | !query"
    )
    expect(
        get_product(api, product["id"]) == product, "getProduct returns what createProduct returned"
    )
    patch = api.patch(
        f"/products/{product['id']}", json={"name": f"{name} v2"}, headers=admin.headers
    )
    updated = json_body(expect_status(patch, 200, why="an admin renames a product"))
    expect(
        get_product(api, product["id"]) == updated, "getProduct returns what updateProduct returned"
    )
    search = api.get("/products", params={"q": "100%_off ' OR"})
    expect_status(search, 200, why="metacharacters in a search are matched literally, never a 5xx")
    slug = random_slug()
    rename = api.patch(f"/categories/{category['id']}", json={"slug": slug}, headers=admin.headers)
    renamed = json_body(expect_status(rename, 200, why="an admin renames a category slug"))
    expect(
        json_body(api.get(f"/categories/{category['id']}")) == renamed,
        "getCategory returns what updateCategory did",
    )
