"""Anonymous browsing, ~70 % of users: list, filter, search, look at a product."""

from __future__ import annotations

import random

from locust import task

from refarch.loadtests.journeys.expectations import category, expect, page_of, product
from refarch.loadtests.journeys.shop_user import ShopUser

__all__ = ["AnonymousBrowser"]

SORTS = ("name", "-name", "price", "-price", "created_at", "-created_at")


class AnonymousBrowser(ShopUser):
    weight = 7

    def _list_products(self, params: dict[str, str | int]) -> None:
        with self.client.get(
            f"{self.run_data.api_prefix}/products",
            params=params,
            name="listProducts",
            catch_response=True,
        ) as response:
            expect(response, 200, page_of(product))

    @task(3)
    def browse_catalog(self) -> None:
        self._list_products({"sort": random.choice(SORTS), "limit": 20})

    @task(3)
    def filter_by_category_and_price(self) -> None:
        run = self.run_data
        low = random.choice([0, 500, 2000])
        self._list_products(
            {
                "category_id": random.choice(run.category_ids),
                "min_price": low,
                "max_price": low + random.choice([1000, 5000]),
                "in_stock": "true",
            }
        )

    @task(2)
    def search(self) -> None:
        self._list_products({"q": random.choice(self.run_data.search_terms)})

    @task(4)
    def view_product(self) -> None:
        run = self.run_data
        product_id = random.choice(run.products)["id"]
        with self.client.get(
            f"{run.api_prefix}/products/{product_id}", name="getProduct", catch_response=True
        ) as response:
            expect(response, 200, product)

    @task(1)
    def list_categories(self) -> None:
        with self.client.get(
            f"{self.run_data.api_prefix}/categories", name="listCategories", catch_response=True
        ) as response:
            expect(response, 200, page_of(category))

    @task(1)
    def view_category(self) -> None:
        run = self.run_data
        category_id = random.choice(run.category_ids)
        with self.client.get(
            f"{run.api_prefix}/categories/{category_id}", name="getCategory", catch_response=True
        ) as response:
            expect(response, 200, category)
