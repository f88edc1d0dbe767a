"""The account's current status and role decide every request: a token issued before a
suspension, deletion or demotion stops working at once, not when it expires."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support.shop import create_product, order_body


def _product(client: httpx.Client, admin: dict[str, str]) -> str:
    product = create_product(client, admin, sku_prefix="ACC", name="Widget", amount=100, stock=100)
    product_id: str = product["id"]
    return product_id


def _order(client: httpx.Client, headers: dict[str, str], product_id: str) -> httpx.Response:
    return client.post("/orders", json=order_body(product_id, 1), headers=headers)


def _refused_as_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_suspended_customer_cannot_order_with_a_token_issued_before(
    client: httpx.Client,
    admin_headers: dict[str, str],
    register: Callable[..., tuple[str, str, dict[str, str]]],
) -> None:
    product_id = _product(client, admin_headers)
    user_id, _, customer = register()
    assert _order(client, customer, product_id).status_code == 201

    suspend = client.patch(f"/users/{user_id}", json={"status": "suspended"}, headers=admin_headers)
    assert suspend.status_code == 200, suspend.text

    _refused_as_invalid_token(_order(client, customer, product_id))
    _refused_as_invalid_token(client.get("/orders", headers=customer))
    _refused_as_invalid_token(client.get("/users/me", headers=customer))


def test_a_deleted_customer_cannot_order_with_a_token_issued_before(
    client: httpx.Client,
    admin_headers: dict[str, str],
    register: Callable[..., tuple[str, str, dict[str, str]]],
) -> None:
    product_id = _product(client, admin_headers)
    user_id, _, customer = register()

    assert client.delete(f"/users/{user_id}", headers=admin_headers).status_code == 204

    _refused_as_invalid_token(_order(client, customer, product_id))
    _refused_as_invalid_token(client.get("/notifications", headers=customer))


def test_a_demoted_admin_loses_admin_rights_at_once(
    client: httpx.Client,
    admin_headers: dict[str, str],
    register: Callable[..., tuple[str, str, dict[str, str]]],
) -> None:
    user_id, email, _ = register()
    promote = client.patch(f"/users/{user_id}", json={"role": "admin"}, headers=admin_headers)
    assert promote.status_code == 200, promote.text
    login = client.post(
        "/auth/login", json={"email": email, "password": "correct horse battery staple"}
    )
    second_admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert client.get("/users", headers=second_admin).status_code == 200

    demote = client.patch(f"/users/{user_id}", json={"role": "customer"}, headers=admin_headers)
    assert demote.status_code == 200, demote.text

    refused = client.get("/users", headers=second_admin)
    assert refused.status_code == 403, refused.text
    assert client.get("/users/me", headers=second_admin).status_code == 200


def test_a_reactivated_customer_may_order_again(
    client: httpx.Client,
    admin_headers: dict[str, str],
    register: Callable[..., tuple[str, str, dict[str, str]]],
) -> None:
    product_id = _product(client, admin_headers)
    user_id, _, customer = register()
    client.patch(f"/users/{user_id}", json={"status": "suspended"}, headers=admin_headers)
    client.patch(f"/users/{user_id}", json={"status": "active"}, headers=admin_headers)

    assert _order(client, customer, product_id).status_code == 201
