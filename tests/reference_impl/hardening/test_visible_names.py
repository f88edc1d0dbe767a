"""Names of people, categories and products must show something: a name made only of
invisible characters (zero-width, no-break spaces, bidirectional controls) is refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

INVISIBLE_NAMES = {
    "zero-width-space": "\u200b",
    "no-break-space": "\u00a0",
    "right-to-left-override": "\u202e",
    "mixed-invisibles": "\u200b\u00a0\u2060\ufeff\u3000",
    "hangul-filler": "\u3164",
}


@pytest.mark.parametrize("name", INVISIBLE_NAMES.values(), ids=INVISIBLE_NAMES.keys())
def test_registration_refuses_a_name_made_only_of_invisible_characters(
    client: httpx.Client, name: str
) -> None:
    response = client.post(
        "/auth/register",
        json={
            "email": f"ghost-{uuid.uuid4().hex[:12]}@example.test",
            "password": "correct horse battery staple",
            "first_name": name,
            "last_name": "Visible",
        },
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "first_name" in str(response.json().get("errors")), response.text


@pytest.mark.parametrize("name", INVISIBLE_NAMES.values(), ids=INVISIBLE_NAMES.keys())
def test_profile_update_refuses_a_name_made_only_of_invisible_characters(
    client: httpx.Client, register: Callable[..., tuple[str, str, dict[str, str]]], name: str
) -> None:
    _, _, headers = register()
    response = client.patch("/users/me", json={"last_name": name}, headers=headers)
    assert response.status_code == 422, response.text
    assert "last_name" in str(response.json().get("errors")), response.text


@pytest.mark.parametrize("name", INVISIBLE_NAMES.values(), ids=INVISIBLE_NAMES.keys())
def test_products_and_categories_refuse_a_name_made_only_of_invisible_characters(
    client: httpx.Client, admin_headers: dict[str, str], name: str
) -> None:
    product = client.post(
        "/products",
        json={
            "sku": f"SKU-{uuid.uuid4().hex[:8].upper()}",
            "name": name,
            "price": {"amount": 100, "currency": "EUR"},
        },
        headers=admin_headers,
    )
    category = client.post(
        "/categories",
        json={"name": name, "slug": f"c-{uuid.uuid4().hex[:8]}"},
        headers=admin_headers,
    )
    assert product.status_code == 422, product.text
    assert category.status_code == 422, category.text


def test_a_bidirectional_override_inside_a_name_is_refused(client: httpx.Client) -> None:
    response = client.post(
        "/auth/register",
        json={
            "email": f"spoof-{uuid.uuid4().hex[:12]}@example.test",
            "password": "correct horse battery staple",
            "first_name": "Ada\u202egnp.exe",
            "last_name": "Lovelace",
        },
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("name", ["Zoë", "李小龍", "José María", "محمد", "O\u2019Brien"])
def test_names_in_any_script_are_still_accepted(
    register: Callable[..., tuple[str, str, dict[str, str]]], name: str
) -> None:
    register(first_name=name)
