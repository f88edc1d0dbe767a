"""Rules that keep accounts, stock and orders consistent when a client pushes at the edges:
administrators cannot lock every administrator out, names must be visible, stock has a
ceiling, and limits hold under concurrent requests.

Every check here works on accounts and products it creates itself, so a failing
implementation can only damage the run's own test data, never the operator's admin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest

from refarch.conformance.actors import Actor, Cleanup, log_in
from refarch.conformance.budget import throttling_expected
from refarch.conformance.evidence import KEEPALIVE_EXPIRY_SECONDS, ApiClient, AsyncApiClient
from refarch.conformance.expect import (
    expect,
    expect_problem,
    expect_status,
    json_body,
    named_fields,
)
from refarch.conformance.kept_accounts import SPARE, kept_user
from refarch.conformance.options import current_run
from refarch.conformance.order_shapes import order_request
from refarch.conformance.shop import create_product, get_product, place_order
from refarch.conformance.testdata import random_email, random_password, random_sku, random_slug

pytestmark = [pytest.mark.layer("security")]
RUN = current_run()
MAX_STOCK = 1_000_000_000
MAX_DELTA = 1_000_000  # StockAdjustment.delta maximum


@pytest.fixture(scope="module")
def second_admin(api: ApiClient, admin: Actor) -> Iterator[Actor]:
    """A throwaway administrator, promoted by the operator and logged in again for a token
    that carries the admin role. Shared by the self-lockout checks (which must leave it
    unchanged) and the demotion check (which demotes it, defined after them), because
    every registration counts against the suite's address. Kept between runs
    (conformance.kept_accounts) and demoted again at the end, as it was found."""
    user = kept_user(api, admin, "lockout")
    promote = api.patch(f"/users/{user.user_id}", json={"role": "admin"}, headers=admin.headers)
    expect_status(promote, 200, why="an administrator promotes an account")
    tokens = log_in(api, user.email, user.password)
    yield Actor(
        user.email, user.password, user.user_id, tokens["access_token"], tokens["refresh_token"]
    )
    # no administrator left behind whose password sits in the state directory
    api.patch(f"/users/{user.user_id}", json={"role": "customer"}, headers=admin.headers)


@pytest.mark.requirement("USR-012")
@pytest.mark.parametrize(
    "change", [{"status": "suspended"}, {"role": "customer"}], ids=["suspend", "demote"]
)
def test_an_admin_cannot_suspend_or_demote_themself(
    api: ApiClient, admin: Actor, second_admin: Actor, change: dict[str, str]
) -> None:
    second = second_admin
    response = api.patch(f"/users/{second.user_id}", json=change, headers=second.headers)
    problem = expect_problem(
        response, 409, why=f"an administrator changing their own account with {change}"
    )
    expect(
        "own" in str(problem.get("detail", "")).lower(),
        "a detail that says an administrator cannot change their own account",
        response,
    )
    after = json_body(
        expect_status(
            api.get(f"/users/{second.user_id}", headers=admin.headers),
            200,
            why="the operator reads the account back",
        )
    )
    expect(
        (after["role"], after["status"]) == ("admin", "active"),
        "the refused change left the account an active administrator",
        None,
        str(after),
    )


#: Names that render as nothing: no-break and zero-width spaces, a bidirectional override,
#: a word joiner with a byte order mark, the Hangul filler.
INVISIBLE_NAMES = {
    "no-break-space": "\u00a0",
    "zero-width-space": "\u200b",
    "right-to-left-override": "\u202e",
    "joiner-and-bom": "\u2060\ufeff",
    "hangul-filler": "\u3164",
}


@pytest.mark.services("users")
@pytest.mark.requirement("USR-004")
@pytest.mark.parametrize("name", INVISIBLE_NAMES.values(), ids=INVISIBLE_NAMES.keys())
def test_person_names_made_only_of_invisible_characters_are_refused(
    api: ApiClient, cleanup: Cleanup, name: str
) -> None:
    body = {
        "email": random_email("invisible"),
        "password": random_password(),
        "first_name": name,
        "last_name": "Visible",
    }
    response = api.post("/auth/register", json=body)
    if response.status_code == 201:
        cleanup.delete(f"/users/{json_body(response)['id']}")
    problem = expect_problem(response, 422, why=f"a first_name of only {name!r} shows nothing")
    expect("first_name" in named_fields(problem), "an errors entry for field first_name", response)


@pytest.mark.services("catalog")
@pytest.mark.requirement("CAT-012")
@pytest.mark.parametrize("name", INVISIBLE_NAMES.values(), ids=INVISIBLE_NAMES.keys())
def test_product_and_category_names_made_only_of_invisible_characters_are_refused(
    api: ApiClient, admin: Actor, cleanup: Cleanup, name: str
) -> None:
    product = {"sku": random_sku(), "name": name, "price": {"amount": 100, "currency": "EUR"}}
    category = {"name": name, "slug": random_slug()}
    for path, body in (("/products", product), ("/categories", category)):
        response = api.post(path, json=body, headers=admin.headers)
        if response.status_code == 201:
            cleanup.delete(f"{path}/{json_body(response)['id']}")
        problem = expect_problem(response, 422, why=f"a name of only {name!r} shows nothing")
        expect(
            "name" in named_fields(problem), f"an errors entry for field name ({path})", response
        )


def _fill_stock(admin: Actor, product_id: str, adjustments: int) -> None:
    """Add MAX_DELTA ``adjustments`` times, 16 at a time (adjustments are atomic, so their
    order does not matter). These set-up requests are not evidence: a thousand identical
    exchanges would bury the ones that matter; each must succeed."""

    async def fill() -> list[int]:
        gate = asyncio.Semaphore(16)
        limits = httpx.Limits(
            max_connections=16,
            max_keepalive_connections=16,
            keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
        )
        async with httpx.AsyncClient(
            base_url=RUN.api_url, timeout=60.0, headers=admin.headers, limits=limits
        ) as client:

            async def one() -> int:
                async with gate:
                    response = await client.post(
                        f"/products/{product_id}/stock-adjustments", json={"delta": MAX_DELTA}
                    )
                    return response.status_code

            return await asyncio.gather(*(one() for _ in range(adjustments)))

    statuses = asyncio.run(fill())
    expect(
        statuses.count(200) == adjustments,
        f"{adjustments} adjustments of +{MAX_DELTA} below the maximum all succeed",
        None,
        f"statuses {sorted(set(statuses))}",
    )


@pytest.mark.services("catalog", "orders", "users")
@pytest.mark.requirement("CAT-013")
def test_stock_stops_at_its_maximum_and_orders_for_it_can_still_be_cancelled(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=MAX_DELTA)
    buyer = alice
    placed = json_body(
        expect_status(place_order(api, buyer, (product["id"], 1)), 201, why="an order for one unit")
    )
    # stock is now MAX_DELTA - 1; 999 adjustments later it is MAX_STOCK - 1
    _fill_stock(admin, product["id"], MAX_STOCK // MAX_DELTA - 1)
    adjust = f"/products/{product['id']}/stock-adjustments"

    past = api.post(adjust, json={"delta": 2}, headers=admin.headers)
    expect_problem(past, 409, why="an adjustment to 1,000,000,001 passes the maximum")
    expect(
        get_product(api, product["id"])["stock"] == MAX_STOCK - 1,
        "a refused adjustment leaves stock unchanged",
    )
    full = api.post(adjust, json={"delta": 1}, headers=admin.headers)
    expect(
        json_body(expect_status(full, 200, why="an adjustment to exactly the maximum"))["stock"]
        == MAX_STOCK,
        "stock may reach exactly 1,000,000,000",
        full,
    )

    cancel = api.post(f"/orders/{placed['id']}/cancel", headers=buyer.headers)
    expect(
        cancel.status_code < 500,
        "cancelling an order for a product at the maximum never answers 5xx",
        cancel,
    )
    expect(
        get_product(api, product["id"])["stock"] <= MAX_STOCK,
        "a cancellation never leaves stock above the maximum",
    )


CONCURRENT_GUESSES = 20
ACCOUNT_LIMIT = 5  # failed logins per account per 15 minutes (AUTH-012 default)


async def _guess_at_once(email: str, count: int) -> list[httpx.Response]:
    # one connection per request, all released together: the attempts really overlap
    limits = httpx.Limits(
        max_connections=count,
        max_keepalive_connections=count,
        keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
    )
    async with AsyncApiClient(base_url=RUN.api_url, timeout=60.0, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post("/auth/login", json={"email": email, "password": f"wrong-{n:04d}"})
                for n in range(count)
            )
        )


@pytest.mark.services("users")
@pytest.mark.requirement("AUTH-012")
def test_concurrent_wrong_passwords_reach_the_check_at_most_the_limit_times(
    api: ApiClient, new_user: Callable[..., Actor]
) -> None:
    # a fresh account; the address budget spent is at most the account limit (refused
    # attempts are not failures), so the run never locks itself out
    user = new_user(role="guessed")
    with throttling_expected():  # the throttle is the subject here: its 429s are no setup problem
        responses = asyncio.run(_guess_at_once(user.email, CONCURRENT_GUESSES))
        right = api.post("/auth/login", json={"email": user.email, "password": user.password})
    statuses = sorted(response.status_code for response in responses)
    expect(
        statuses.count(401) <= ACCOUNT_LIMIT,
        f"at most {ACCOUNT_LIMIT} of {CONCURRENT_GUESSES} simultaneous wrong passwords are"
        " checked (401); the rest are throttled",
        None,
        f"statuses {statuses}",
    )
    expect(set(statuses) <= {401, 429}, "every attempt answers 401 or 429", None, str(statuses))
    expect_problem(right, 429, why="the account is throttled, even for the right password")


def _refused_token(response: httpx.Response, why: str) -> None:
    expect_problem(response, 401, why=why)
    challenge = response.headers.get("www-authenticate", "")
    expect('error="invalid_token"' in challenge, 'a challenge with error="invalid_token"', response)


@pytest.mark.services("users", "catalog", "orders")
@pytest.mark.requirement("USR-013")
def test_a_suspended_or_deleted_account_is_refused_on_its_next_request(
    api: ApiClient, admin: Actor, new_user: Callable[..., Actor], cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    # suspension is reversible, so that account is kept between runs; deletion is not
    suspended, deleted = kept_user(api, admin, SPARE), new_user(role="deleted")
    for user in (suspended, deleted):
        expect_status(
            place_order(api, user, (product["id"], 1)), 201, why="an active customer orders"
        )
    expect_status(
        api.patch(
            f"/users/{suspended.user_id}", json={"status": "suspended"}, headers=admin.headers
        ),
        200,
        why="an administrator suspends an account",
    )
    expect_status(
        api.delete(f"/users/{deleted.user_id}", headers=admin.headers),
        204,
        why="an administrator deletes an account",
    )
    for user, what in ((suspended, "suspended"), (deleted, "deleted")):
        _refused_token(
            place_order(api, user, (product["id"], 1)),
            f"placeOrder with a token issued before the account was {what}",
        )
        _refused_token(
            api.get("/orders", headers=user.headers),
            f"listMyOrders with a token issued before the account was {what}",
        )


@pytest.mark.services("users")
@pytest.mark.requirement("USR-013")
def test_a_demoted_admin_loses_admin_rights_on_the_next_request(
    api: ApiClient, admin: Actor, second_admin: Actor
) -> None:
    second = second_admin
    expect_status(
        api.get("/users", headers=second.headers), 200, why="an administrator lists accounts"
    )
    expect_status(
        api.patch(f"/users/{second.user_id}", json={"role": "customer"}, headers=admin.headers),
        200,
        why="an administrator demotes another administrator",
    )
    expect_problem(
        api.get("/users", headers=second.headers),
        403,
        why="listUsers with a token issued before its holder was demoted",
    )


PENDING_LIMIT = 100  # unpaid pending orders per customer (ORD-016 default)


async def _place_many(user: Actor, product_id: str, count: int) -> list[int]:
    """``count`` orders for one unit each, 16 in flight at a time: statuses only (the
    evidence of a failure is the count, not a hundred identical exchanges)."""
    gate = asyncio.Semaphore(16)
    limits = httpx.Limits(
        max_connections=16, max_keepalive_connections=16, keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS
    )
    async with httpx.AsyncClient(
        base_url=RUN.api_url, timeout=60.0, headers=user.headers, limits=limits
    ) as client:
        body = order_request([(product_id, 1)])

        async def one() -> int:
            async with gate:
                return (await client.post("/orders", json=body)).status_code

        return await asyncio.gather(*(one() for _ in range(count)))


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-016")
def test_a_customer_cannot_hold_more_than_the_pending_order_limit(
    api: ApiClient, admin: Actor, new_user: Callable[..., Actor], cleanup: Cleanup
) -> None:
    attempts = PENDING_LIMIT + 20
    product = create_product(api, admin, cleanup, stock=attempts)
    # kept between runs, restored first (its pending orders from earlier use cancelled)
    hoarder = kept_user(api, admin, SPARE)
    statuses = asyncio.run(_place_many(hoarder, product["id"], attempts))
    placed = statuses.count(201)
    expect(
        placed <= PENDING_LIMIT and set(statuses) <= {201, 409},
        f"of {attempts} concurrent orders by one customer at most {PENDING_LIMIT} are placed"
        " (201); the rest are refused with 409",
        None,
        f"{placed} placed; statuses {sorted(set(statuses))}",
    )
    refused = place_order(api, hoarder, (product["id"], 1))
    expect_problem(refused, 409, why=f"the customer already holds {placed} pending orders")
    expect(
        get_product(api, product["id"])["stock"] == attempts - placed,
        "refused orders reserved no stock",
    )
