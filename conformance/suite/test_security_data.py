"""OWASP API3:2023 Broken Object Property Level Authorization: responses expose only
documented members and never a password or hash; clients cannot assign roles, statuses,
stock or prices the API does not let them set (checked by reading back)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient, TestLog
from refarch.conformance.expect import expect, expect_status, json_body
from refarch.conformance.order_shapes import lines_total
from refarch.conformance.shop import create_category, create_product, get_product, order_body
from refarch.conformance.testdata import random_email, random_password

pytestmark = [pytest.mark.layer("security")]
USER_MEMBERS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "role",
    "status",
    "created_at",
    "updated_at",
}
SECRET_WORDS = re.compile(r"password|passwd|hash|argon2|\$2[aby]\$|salt", re.IGNORECASE)


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _users_in(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and "items" in body:
        return list(body["items"])
    return [body] if isinstance(body, dict) else []


@pytest.mark.services("users")
@pytest.mark.requirement("USR-005")
def test_no_response_contains_a_password_or_undocumented_member(
    api: ApiClient, admin: Actor, carol: Actor
) -> None:
    user = carol
    api.get("/users/me", headers=user.headers)
    api.patch("/users/me", json={"last_name": "Props"}, headers=user.headers)
    api.get(f"/users/{user.user_id}", headers=user.headers)
    api.get("/users", params={"email": user.email}, headers=admin.headers)
    api.patch(f"/users/{user.user_id}", json={"role": "customer"}, headers=admin.headers)
    for exchange in TestLog.exchanges:
        if "/auth/" in exchange.url or exchange.status >= 400:
            continue
        expect(
            not SECRET_WORDS.search(exchange.response_body),
            f"no password or hash in {exchange.method} {exchange.url}",
            None,
            exchange.response_body[:300],
        )
        for shown in _users_in(_parsed(exchange.response_body)):
            extra = set(shown) - USER_MEMBERS
            expect(
                not extra,
                f"only documented User members in {exchange.method} {exchange.url}",
                None,
                str(extra),
            )


@pytest.mark.services("users")
@pytest.mark.requirement("USR-007")
def test_role_status_and_email_cannot_be_self_assigned(
    api: ApiClient, cleanup: Cleanup, carol: Actor
) -> None:
    email = random_email("massassign")
    body = {
        "email": email,
        "password": random_password(),
        "first_name": "Mallory",
        "last_name": "Admin",
        "role": "admin",
        "status": "active",
    }
    response = api.post("/auth/register", json=body)
    if response.status_code == 201:
        cleanup.delete(f"/users/{response.json()['id']}")
    expect_status(response, 422, why="a registration must not choose its own role")
    user = carol
    for member in (
        {"role": "admin"},
        {"status": "suspended"},
        {"email": random_email("stolen")},
        {"id": str(uuid.uuid4())},
    ):
        patch = api.patch(
            "/users/me", json={"first_name": "Mallory", **member}, headers=user.headers
        )
        expect_status(patch, 422, why=f"{next(iter(member))} is not part of a profile update")
    me = json_body(api.get("/users/me", headers=user.headers))
    expect(
        me["role"] == "customer" and me["email"] == user.email and me["first_name"] != "Mallory",
        "the account is unchanged after refused updates",
        None,
        str(me),
    )


@pytest.mark.services("catalog", "users")
@pytest.mark.requirement("CAT-009")
def test_stock_and_sku_change_only_through_their_own_operations(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=7)
    for member in ({"stock": 1000}, {"sku": "CONF-HIJACKED"}):
        response = api.patch(
            f"/products/{product['id']}", json={"name": "Renamed", **member}, headers=admin.headers
        )
        expect_status(response, 422, why=f"updateProduct does not accept {next(iter(member))}")
    after = get_product(api, product["id"])
    expect(
        after["stock"] == 7 and after["sku"] == product["sku"] and after["name"] == product["name"],
        "the product is unchanged",
        None,
        str(after),
    )


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-001")
def test_clients_cannot_set_prices_or_totals(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, price=2500, stock=5)
    body = order_body((product["id"], 2))
    body["items"][0]["unit_price"] = {"amount": 1, "currency": "EUR"}
    body["total"] = {"amount": 2, "currency": "EUR"}
    response = api.post("/orders", json=body, headers=alice.headers)
    if response.status_code == 201:
        expect(
            lines_total(json_body(response))["amount"] == 5000,
            "a client-supplied price or total is ignored",
            response,
        )
    else:
        expect_status(response, 422, why="undocumented price members are refused, or ignored")


@pytest.mark.services("catalog", "users")
@pytest.mark.requirement("SEC-001")
def test_resource_ids_are_random_uuids(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    ids = [
        alice.user_id,
        create_category(api, admin, cleanup)["id"],
        create_product(api, admin, cleanup)["id"],
    ]
    for value in ids:
        parsed = uuid.UUID(value)
        expect(parsed.version in (4, 7), "ids are version 4 or 7 UUIDs", None, value)
