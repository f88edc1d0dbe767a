"""A customer's whole journey through the real server over HTTP, responses validated against
the spec: register → login → browse → order (idempotently) → cancel → notifications."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.server import ServerHandle, reference_server
from tests.support.shop import (
    PASSWORD,
    create_product,
    login,
    order_body,
    register,
)

WAIT_SECONDS = 5.0


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> ServerHandle:
    with reference_server(tmp_path, database_url) as handle:
        yield handle  # type: ignore[misc]


def test_ord_customer_journey_over_http(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.api_url, timeout=10) as client:
        admin = login(client, server.admin_email, server.admin_password)
        user_id, customer = register(client)
        product = create_product(
            client, admin, sku_prefix="JRN", name="Kettle", amount=2999, stock=5
        )
        assert client.get(f"/products/{product['id']}").json()["stock"] == 5

        order_request = order_body(product["id"], 2)
        key = {"Idempotency-Key": uuid.uuid4().hex}
        placed = client.post("/orders", headers={**customer, **key}, json=order_request)
        replayed = client.post("/orders", headers={**customer, **key}, json=order_request)
        assert placed.status_code == replayed.status_code == 201, placed.text
        assert placed.json()["total"] == {"amount": 5998, "currency": "EUR"}
        assert replayed.json() == placed.json()
        assert replayed.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in placed.headers

        order_id = placed.json()["id"]
        _, stranger = register(client)
        assert client.get(f"/orders/{order_id}", headers=stranger).status_code == 404
        assert client.post(f"/orders/{order_id}/cancel", headers=customer).json()["status"] == (
            "cancelled"
        )
        again = client.post(f"/orders/{order_id}/cancel", headers=customer)
        assert again.status_code == 409
        assert again.headers["content-type"].startswith("application/problem+json")
        assert client.get(f"/products/{product['id']}").json()["stock"] == 5

        deadline, types = time.monotonic() + WAIT_SECONDS, []
        while time.monotonic() < deadline:
            page = client.get("/notifications", headers=customer).json()
            types = sorted(item["type"] for item in page["items"])
            if len(types) == 3:
                break
            time.sleep(0.05)
        assert types == ["order_confirmation", "order_status_changed", "welcome"]
        assert client.get(f"/users/{user_id}", headers=stranger).status_code == 404


def test_ord_out_of_stock_over_http_lists_the_short_line(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.api_url, timeout=10) as client:
        admin = login(client, server.admin_email, server.admin_password)
        _, customer = register(client)
        product = create_product(client, admin, sku_prefix="OOS", name="Rare", amount=100, stock=1)

        refused = client.post(
            "/orders",
            headers=customer,
            json=order_body(product["id"], 3),
        )

        assert refused.status_code == 409, refused.text
        assert refused.json()["out_of_stock"] == [
            {"product_id": product["id"], "requested": 3, "available": 1}
        ]


def test_ord_refusals_name_the_fields_as_the_request_carried_them(server: ServerHandle) -> None:
    """The domain names its own fields; clients read the request's: body members, headers."""
    with httpx.Client(base_url=server.api_url, timeout=10) as client:
        admin = login(client, server.admin_email, server.admin_password)
        _, customer = register(client)
        product = create_product(client, admin, sku_prefix="FLD", name="Lamp", amount=100, stock=9)
        unknown = order_body(product["id"], 1)
        unknown["items"].append({"product_id": str(uuid.uuid4()), "quantity": 1})
        twice = order_body(product["id"], 1)
        twice["items"].append({"product_id": product["id"], "quantity": 2})
        key = {"Idempotency-Key": uuid.uuid4().hex}

        refusals = [
            client.post("/orders", headers=customer, json=unknown),
            client.post("/orders", headers=customer, json=twice),
            client.post("/orders", headers={**customer, **key}, json=order_body(product["id"], 1)),
            client.post("/orders", headers={**customer, **key}, json=order_body(product["id"], 2)),
        ]

        assert [r.status_code for r in refusals] == [422, 422, 201, 422], refusals[-1].text
        fields = [[(e["in"], e["field"]) for e in r.json().get("errors", [])] for r in refusals]
        assert fields[0] == [("body", "/items/1/product_id")]
        assert fields[1] == [("body", "/items/1/product_id")]
        assert fields[3] == [("header", "/Idempotency-Key")]


def test_auth_throttling_and_refresh_reuse_over_http(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.api_url, timeout=10) as client:
        email = f"auth-{uuid.uuid4().hex[:10]}@example.test"
        client.post(
            "/auth/register",
            json={"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B"},
        )
        first = client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
        rotated = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        reused = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})

        assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
        assert reused.status_code == 401
        assert reused.headers["www-authenticate"].startswith('Bearer realm="refarch"')

        statuses = [
            client.post("/auth/login", json={"email": email, "password": "wrong!"}).status_code
            for _ in range(server.settings.login_max_failures + 1)
        ]
        throttled = client.post("/auth/login", json={"email": email, "password": PASSWORD})

        assert statuses[:-1] == [401] * server.settings.login_max_failures
        assert statuses[-1] == throttled.status_code == 429
        assert 1 <= int(throttled.headers["retry-after"]) <= server.settings.login_window_seconds


def test_usr_cat_ord_admin_operations_answer_in_the_spec_shapes(server: ServerHandle) -> None:
    """Every remaining operation once, with response validation on: shapes match the spec."""
    with httpx.Client(base_url=server.api_url, timeout=10) as client:
        admin = login(client, server.admin_email, server.admin_password)
        user_id, customer = register(client)
        slug = f"cat-{uuid.uuid4().hex[:8]}"

        category = client.post("/categories", headers=admin, json={"slug": slug, "name": "Tea"})
        assert category.status_code == 201, category.text
        category_id = category.json()["id"]
        assert (
            client.post(
                "/categories", headers=admin, json={"slug": slug, "name": "Again"}
            ).status_code
            == 409
        )
        assert client.get("/categories").json()["page"]["total"] >= 1
        assert client.get(f"/categories/{category_id}").status_code == 200
        patched = client.patch(
            f"/categories/{category_id}", headers=admin, json={"description": "Leaves"}
        )
        assert patched.json()["description"] == "Leaves"

        product = create_product(
            client, admin, sku_prefix="TEA", name="Green tea", amount=450, category_id=category_id
        )
        assert client.delete(f"/categories/{category_id}", headers=admin).status_code == 409
        listed = client.get(
            "/products", params={"category_id": category_id, "q": "tea", "sort": "-price"}
        ).json()
        assert [p["id"] for p in listed["items"]] == [product["id"]]
        assert (
            client.patch(
                f"/products/{product['id']}", headers=admin, json={"category_id": None}
            ).json()["category_id"]
            is None
        )
        stocked = client.post(
            f"/products/{product['id']}/stock-adjustments", headers=admin, json={"delta": 3}
        )
        assert stocked.json()["stock"] == 3
        assert (
            client.post(
                f"/products/{product['id']}/stock-adjustments", headers=admin, json={"delta": -4}
            ).status_code
            == 409
        )

        order = client.post(
            "/orders",
            headers=customer,
            json=order_body(product["id"], 1),
        ).json()
        for target in ("paid", "shipped", "delivered"):
            moved = client.post(
                f"/orders/{order['id']}/transitions", headers=admin, json={"to": target}
            )
            assert moved.json()["status"] == target, moved.text
        assert (
            client.post(
                f"/orders/{order['id']}/transitions", headers=admin, json={"to": "cancelled"}
            ).status_code
            == 409
        )
        assert (
            client.get("/orders", headers=customer, params={"status": "delivered"}).json()["page"][
                "total"
            ]
            == 1
        )
        assert (
            client.get("/admin/orders", headers=admin, params={"user_id": user_id}).json()["page"][
                "total"
            ]
            == 1
        )

        me = client.patch("/users/me", headers=customer, json={"phone": "+4915112345678"})
        assert me.json()["phone"] == "+4915112345678"
        assert client.get("/users/me", headers=customer).json()["id"] == user_id
        assert client.get(f"/users/{user_id}", headers=admin).status_code == 200
        users = client.get("/users", headers=admin, params={"role": "customer", "limit": 1})
        assert users.json()["page"]["limit"] == 1
        suspended = client.patch(f"/users/{user_id}", headers=admin, json={"status": "suspended"})
        assert suspended.json()["status"] == "suspended"
        assert client.delete(f"/users/{user_id}", headers=admin).status_code == 204
        assert client.get(f"/users/{user_id}", headers=admin).status_code == 404
        assert client.delete(f"/products/{product['id']}", headers=admin).status_code == 204
        assert client.get(f"/products/{product['id']}").status_code == 404
        assert client.delete(f"/categories/{category_id}", headers=admin).status_code == 204
