"""Seeding: make the load-test catalog exist, with ample stock, through the API.

Runs in the CLI process before Locust starts, with plain httpx and the admin account. Every
failure here means the run cannot happen, so each becomes a ``CannotRun`` that says why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import httpx

from refarch.loadtests.catalog import CATALOG, SEARCH_TERMS, STOCK_TARGET
from refarch.loadtests.errors import CannotRun
from refarch.target import TargetNotReady, admin_login, check_health

__all__ = ["SeededCatalog", "prepare_catalog", "seed_catalog"]

PAGE = 100  # the contract's maximum page size


@dataclass(frozen=True)
class SeededCatalog:
    category_ids: list[str]
    products: list[dict[str, Any]]  # {"id", "price_cents"}
    search_terms: list[str]
    #: The admin's access token, for the admin-dashboard journey (short-lived: it expires
    #: with the token's own lifetime, and the journey stops before that).
    admin_token: str = ""


def _fail_on(response: httpx.Response, doing: str) -> None:
    if response.is_success:
        return
    detail = response.text[:300].strip()
    hint = ""
    if response.status_code == 403:
        hint = " The account is not an admin: pass an admin's credentials."
    raise CannotRun(
        f"seeding the load-test catalog failed: {doing} answered {response.status_code}: {detail}.{hint}"
    )


def _all_pages(
    client: httpx.Client, path: str, params: dict[str, Any], doing: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        response = client.get(path, params={**params, "limit": PAGE, "offset": len(items)})
        _fail_on(response, doing)
        page = response.json()
        items += page["items"]
        if not page["items"] or len(items) >= page["page"]["total"]:
            return items


def seed_catalog(client: httpx.Client, api: str, admin_token: str) -> SeededCatalog:
    """Create what is wanted_product, top stock up to ``STOCK_TARGET``; reuse everything else."""
    auth = {"Authorization": f"Bearer {admin_token}"}
    wanted_categories, wanted_products = CATALOG

    existing = {
        c["slug"]: c for c in _all_pages(client, f"{api}/categories", {}, "GET /categories")
    }
    for wanted_category in wanted_categories:
        if wanted_category.slug not in existing:
            response = client.post(
                f"{api}/categories",
                json={"slug": wanted_category.slug, "name": wanted_category.name},
                headers=auth,
            )
            _fail_on(response, f"POST /categories ({wanted_category.slug})")
            existing[wanted_category.slug] = response.json()
    category_ids = {slug: existing[slug]["id"] for slug in (c.slug for c in wanted_categories)}

    products: dict[str, dict[str, Any]] = {}
    for category_id in category_ids.values():
        found = _all_pages(client, f"{api}/products", {"category_id": category_id}, "GET /products")
        products.update({p["sku"]: p for p in found})
    for wanted_product in wanted_products:
        if wanted_product.sku in products:
            continue
        response = client.post(
            f"{api}/products",
            json={
                "sku": wanted_product.sku,
                "name": wanted_product.name,
                "description": wanted_product.description,
                "price": {"amount": wanted_product.price_cents, "currency": "EUR"},
                "category_id": category_ids[wanted_product.category_slug],
                "stock": STOCK_TARGET,
            },
            headers=auth,
        )
        _fail_on(response, f"POST /products ({wanted_product.sku})")
        products[wanted_product.sku] = response.json()

    seeded = [products[w.sku] for w in wanted_products]
    for product in seeded:
        if product["stock"] < STOCK_TARGET:
            response = client.post(
                f"{api}/products/{product['id']}/stock-adjustments",
                json={"delta": STOCK_TARGET - product["stock"], "reason": "refarch load: top-up"},
                headers=auth,
            )
            _fail_on(response, f"POST /products/{{id}}/stock-adjustments ({product['sku']})")
    return SeededCatalog(
        category_ids=list(category_ids.values()),
        products=[{"id": p["id"], "price_cents": p["price"]["amount"]} for p in seeded],
        search_terms=list(SEARCH_TERMS),
    )


def prepare_catalog(
    base_url: str, api: str, admin_email: str, admin_password: str
) -> SeededCatalog:
    """Reachability check, admin login and seeding, with every failure turned into a reason."""
    try:
        with httpx.Client(base_url=base_url, timeout=10.0) as client:
            check_health(client, f"{base_url}{api}")
            token = admin_login(
                client,
                f"{base_url}{api}",
                admin_email,
                admin_password,
                env_prefix="REFARCH_LOAD_ADMIN",
            )
            return dataclasses.replace(seed_catalog(client, api, token), admin_token=token)
    except TargetNotReady as exc:
        raise CannotRun(f"{exc}.") from None
    except httpx.HTTPError as exc:
        raise CannotRun(
            f"lost contact with {base_url} while seeding the catalog ({type(exc).__name__}: {exc})."
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        # a body without the fields the contract promises: a conformance problem, not a load one
        raise CannotRun(
            f"{base_url} answered a seeding request with a body that does not match the contract "
            f"({type(exc).__name__}: {exc}); run `refarch conform` against it first."
        ) from None
