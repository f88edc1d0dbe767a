"""Checks found missing by mutation testing (``make mutation``, ADR 0035).

Each test here was written for a mutant of the reference implementation that the rest of
the suite passed although a client could see the difference; the test names the boundary
or case that mutant got wrong. They are ordinary checks of their requirement, tagged with
its id, and run in every mode.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from refarch.conformance.actors import Actor, Cleanup, log_in
from refarch.conformance.concurrency import Call, all_at_once
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import (
    expect,
    expect_problem,
    expect_status,
    json_body,
    json_object,
    named_fields,
)
from refarch.conformance.kept_accounts import SPARE, kept_user
from refarch.conformance.order_shapes import lines_total
from refarch.conformance.polling import (
    ANALYTICS_DEADLINE_SECONDS,
    NOTIFICATION_DEADLINE_SECONDS,
    wait_for_notification,
    wait_for_report,
)
from refarch.conformance.shop import create_category, create_product, get_product, place_order
from refarch.conformance.testdata import MISSING_ID, random_password

pytestmark = [pytest.mark.layer("scenarios")]
LATE = f"within {NOTIFICATION_DEADLINE_SECONDS:.0f} s"
#: listLowStockProducts' highest threshold: every product of the category is listed, so the
#: report shows the stock analytics holds for each of them, whatever it is.
ANY_STOCK = 1_000_000
#: PATCHes released together with one DELETE of the same product, and how many products:
#: against an update that reads without locking, every PATCH that read before the DELETE
#: and queued behind it answered 500, so one round shows it unless the DELETE comes last.
RACING_UPDATES = 8
RACE_ROUNDS = 3


@pytest.mark.services("orders", "catalog", "notifications", "users")
@pytest.mark.requirement("NTF-002")
def test_a_free_order_is_confirmed_too(api: ApiClient, admin: Actor, cleanup: Cleanup) -> None:
    # a price of 0 is valid (minimum: 0), so an order can total 0: its confirmation must
    # not be lost to a "positive amount" check somewhere on the way to the notification
    user = kept_user(api, admin, SPARE)  # not a shared customer: few other notifications
    product = create_product(api, admin, cleanup, stock=3, price=0)
    order = json_body(
        expect_status(place_order(api, user, (product["id"], 2)), 201, why="a free order")
    )
    total = lines_total(order)
    expect(total["amount"] == 0, "two free items total 0", None, str(total))
    confirmation = wait_for_notification(
        api, user, "order_confirmation", lambda n: n["data"].get("order_id") == order["id"]
    )
    expect(confirmation is not None, f"an order_confirmation for the free order {LATE}")


@pytest.mark.services("orders", "catalog", "users")
@pytest.mark.requirement("ORD-010")
def test_a_new_order_is_not_marked_as_replayed(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    # Idempotent-Replayed is "present, with the value true, when this answer repeats an
    # earlier one": a first answer, with or without a key, must not claim to be a repeat
    product = create_product(api, admin, cleanup, stock=5)
    for key in (None, f"first-{uuid.uuid4().hex}"):
        response = expect_status(
            place_order(api, alice, (product["id"], 1), key=key), 201, why="a new order"
        )
        expect(
            "idempotent-replayed" not in response.headers,
            "a new order's answer carries no Idempotent-Replayed header"
            + (" (with an Idempotency-Key)" if key else ""),
            response,
            f"Idempotent-Replayed: {response.headers.get('idempotent-replayed')!r}",
        )


@pytest.mark.services("catalog")
@pytest.mark.requirement("CAT-006")
def test_in_stock_false_lists_only_empty_products(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    category = create_category(api, admin, cleanup)
    stocked = create_product(api, admin, cleanup, stock=4, category_id=category["id"])
    empty = create_product(api, admin, cleanup, stock=0, category_id=category["id"])
    response = api.get(
        "/products", params={"category_id": category["id"], "in_stock": "false", "limit": 100}
    )
    page = json_body(expect_status(response, 200, why="in_stock=false is a valid filter"))
    listed = [item["id"] for item in page["items"]]
    expect(
        listed == [empty["id"]] and page["page"]["total"] == 1,
        "in_stock=false lists exactly the products with no stock",
        response,
        f"listed {listed}; the empty product is {empty['id']}, the stocked one {stocked['id']}",
    )


@pytest.mark.services("users")
@pytest.mark.requirement("USR-012")
def test_an_admin_may_restate_their_own_role(api: ApiClient, admin: Actor) -> None:
    # USR-012 refuses only a change that suspends or demotes the caller or leaves no active
    # administrator; restating one's own role and status changes nothing and must succeed
    # on any target. Where the suite's admin is the only active one (a fresh deployment)
    # this also catches a last-admin guard that runs for the wrong changes.
    response = api.patch(
        f"/users/{admin.user_id}", json={"role": "admin", "status": "active"}, headers=admin.headers
    )
    after = json_body(
        expect_status(
            response,
            200,
            why="an administrator restates their own role and status, which leaves them an "
            "active administrator",
        )
    )
    expect(
        (after["role"], after["status"]) == ("admin", "active"),
        "the account is still an active administrator",
        response,
    )


@pytest.mark.services("users")
@pytest.mark.requirement("AUTH-003", "AUTH-005")
def test_a_refused_refresh_token_is_challenged_as_invalid_token(
    api: ApiClient, alice: Actor
) -> None:
    # WWW-Authenticate is `Bearer realm="refarch"` when no token was sent, and adds
    # error="invalid_token" when one was sent and refused. Logging out a session of its own
    # gives a revoked token without touching alice's, and spends no failed login.
    session = log_in(api, alice.email, alice.password)
    expect_status(
        api.post("/auth/logout", json={"refresh_token": session["refresh_token"]}),
        204,
        why="logout revokes the session's refresh token",
    )
    for label, token in (
        ("a revoked refresh token", session["refresh_token"]),
        ("a refresh token that was never issued", "never-issued-" + random_password()),
    ):
        response = api.post("/auth/refresh", json={"refresh_token": token})
        expect_problem(response, 401, why=f"{label} is refused")
        challenge = response.headers.get("www-authenticate", "")
        expect(
            challenge.startswith('Bearer realm="refarch"') and 'error="invalid_token"' in challenge,
            f'WWW-Authenticate: Bearer realm="refarch", error="invalid_token" for {label}',
            response,
            f"WWW-Authenticate: {challenge!r}",
        )


def _low_stock(
    api: ApiClient,
    admin: Actor,
    category_id: str,
    done: Callable[[list[dict[str, Any]]], bool],
) -> list[dict[str, Any]]:
    """The category's low-stock items once ``done`` holds, or as they stand at the deadline."""
    params = {"category_id": category_id, "threshold": ANY_STOCK, "limit": 100}
    report = wait_for_report(
        api, admin, "/admin/analytics/low-stock", params, lambda body: done(body["items"])
    )
    items: list[dict[str, Any]] = report["items"]
    return items


def _stock_of(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(item["product_id"], item["stock"]) for item in items]


def _showing(wanted: list[tuple[str, int]]) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda items: _stock_of(items) == wanted


@pytest.mark.services("analytics", "orders", "catalog", "users")
@pytest.mark.requirement("ANL-008")
def test_low_stock_follows_adjustments_and_orders(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    # Mutants: adjust_stock published no product.stock_changed for any delta (delta == 0,
    # not delta != 0), for +1 only (delta != 1) or for -1 only (delta != -1); an
    # adjustment's event carried order_id "None" (_stock_event, twice); an order's event
    # carried the priced line as its stock (reserve_stock, taken[0]). Analytics sets a
    # malformed event aside, so each left the report at the stock from before one change.
    # test_analytics passed them all: it never adjusts stock, and its final figures come
    # from the cancellations' events, which carry the absolute level. So: small deltas of
    # both signs, an order and its cancellation, and the report read after every step.
    category = create_category(api, admin, cleanup)
    pid = create_product(api, admin, cleanup, stock=10, category_id=category["id"])["id"]

    def adjust(delta: int) -> Callable[[], int]:
        def step() -> int:
            response = api.post(
                f"/products/{pid}/stock-adjustments",
                json={"delta": delta, "reason": "conformance count"},
                headers=admin.headers,
            )
            return int(json_object(expect_status(response, 200, why="an admin adjusts"))["stock"])

        return step

    placed: list[str] = []

    def order() -> int:
        response = place_order(api, alice, (pid, 2))
        placed.append(json_object(expect_status(response, 201, why="an order in stock"))["id"])
        return int(get_product(api, pid)["stock"])

    def cancel() -> int:  # alice's pending orders end as they began
        response = api.post(f"/orders/{placed[-1]}/cancel", headers=alice.headers)
        expect_status(response, 200, why="the owner cancels a pending order")
        return int(get_product(api, pid)["stock"])

    steps: list[tuple[str, Callable[[], int]]] = [
        ("the product's creation with stock 10", lambda: 10),
        ("an adjustment by -1", adjust(-1)),
        ("an adjustment by +1", adjust(1)),
        ("an adjustment by -7", adjust(-7)),
        ("an adjustment by +3", adjust(3)),
        ("an order for 2 units", order),
        ("the order's cancellation", cancel),
    ]
    for change, step in steps:
        stock = step()
        items = _low_stock(api, admin, category["id"], _showing([(pid, stock)]))
        expect(
            _stock_of(items) == [(pid, stock)],
            f"after {change} the report shows the catalog's current stock {stock} within "
            f"{ANALYTICS_DEADLINE_SECONDS:.0f} s",
            actual=str(_stock_of(items)),
        )


@pytest.mark.services("analytics", "catalog")
@pytest.mark.requirement("ANL-008")
def test_low_stock_follows_a_product_changed_in_every_field(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # Mutants of update_product: product.updated published only when nothing changed (if
    # not changed), or naming the fields that did NOT change (==), which publishes nothing
    # when all four event fields change at once; and every PATCH a no-op (if not columns).
    # Each left analytics with the product's first category, name and price. The AsyncAPI
    # document says analytics keeps the latest ones; the category_id filter is "the
    # catalog's category id". So one PATCH changes name, description, category and price.
    old = create_category(api, admin, cleanup)
    new = create_category(api, admin, cleanup)
    pid = create_product(
        api, admin, cleanup, stock=2, category_id=old["id"], description="Before the move"
    )["id"]
    before = _low_stock(api, admin, old["id"], _showing([(pid, 2)]))
    expect(
        _stock_of(before) == [(pid, 2)],
        "the new product is listed in its category (the starting point)",
        actual=str(_stock_of(before)),
    )
    change = {
        "category_id": new["id"],
        "name": "Moved widget",
        "description": "After the move",
        "price": {"amount": 2500, "currency": "EUR"},
    }
    response = api.patch(f"/products/{pid}", json=change, headers=admin.headers)
    expect_status(response, 200, why="an admin changes every field of a product at once")

    def shown(items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any]]:
        return [(i["product_id"], i["name"], (i["price"] or {}).get("amount")) for i in items]

    wanted: list[tuple[Any, Any, Any]] = [(pid, "Moved widget", 2500)]
    after = _low_stock(api, admin, new["id"], lambda items: shown(items) == wanted)
    expect(
        shown(after) == wanted,
        "the product is listed under the category it was moved to, with its new name and "
        f"price, within {ANALYTICS_DEADLINE_SECONDS:.0f} s",
        actual=str(shown(after)),
    )
    left = _low_stock(api, admin, old["id"], lambda items: not items)
    expect(
        not left,
        "the category the product left lists it no more",
        actual=str(_stock_of(left)),
    )


@pytest.mark.services("catalog")
@pytest.mark.requirement("CAT-002", "CAT-011")
def test_a_product_update_changes_what_it_names(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # Mutant: update_product ran the UPDATE only when the body named no column (if not
    # columns), which minProperties 1 rules out, so every PATCH answered 200 with the
    # product unchanged. test_catalog's CAT-011 check compares the answer with a later
    # read, which agreed; nothing looked for the new values.
    category = create_category(api, admin, cleanup)
    product = create_product(api, admin, cleanup, price=1999, description="Old text")
    change = {
        "name": f"Renamed widget {uuid.uuid4().hex[:8]}",
        "description": None,
        "price": {"amount": 2001, "currency": "EUR"},
        "category_id": category["id"],
    }
    response = api.patch(f"/products/{product['id']}", json=change, headers=admin.headers)
    updated = json_object(expect_status(response, 200, why="an admin changes a product"))
    for field, value in change.items():
        expect(
            updated.get(field) == value,
            f"updateProduct answers the product with {field} as the body set it",
            response,
            f"{field}: {updated.get(field)!r}",
        )
    expect(
        updated["sku"] == product["sku"] and updated["stock"] == product["stock"],
        "the members the body did not name keep their values",
        response,
    )
    read = get_product(api, product["id"])
    expect(
        read == updated,
        "getProduct returns the changed product, exactly as updateProduct answered it",
        None,
        str(read),
    )


@pytest.mark.services("catalog")
@pytest.mark.requirement("CAT-005")
def test_an_update_to_an_unknown_category_is_refused(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # Mutant: the repository's update no longer turned the foreign-key violation into
    # UnknownCategory (its except clause named an undefined exception), so the update
    # answered 500. CAT-005 names updateProduct as well as createProduct; test_catalog
    # checks only createProduct.
    category = create_category(api, admin, cleanup)
    product = create_product(api, admin, cleanup, category_id=category["id"])
    response = api.patch(
        f"/products/{product['id']}",
        json={"category_id": MISSING_ID},
        headers=admin.headers,
    )
    problem = expect_problem(response, 422, why="category_id names no category")
    expect(
        "category_id" in named_fields(problem),
        "an errors entry for field category_id",
        response,
    )
    kept = get_product(api, product["id"])
    expect(
        kept["category_id"] == category["id"],
        "the refused update changed nothing: the product keeps its category",
        actual=str(kept.get("category_id")),
    )


@pytest.mark.services("catalog")
@pytest.mark.requirement("CAT-010", "API-013")
def test_updates_racing_a_delete_answer_200_or_404(
    api: ApiClient, admin: Actor, cleanup: Cleanup
) -> None:
    # Mutant: update_product read the product without FOR UPDATE, so an update whose read
    # came before a concurrent delete and whose UPDATE came after it found no row and
    # failed an assert (500). Each update is ordered before the delete (200) or after it
    # (404, the product is gone): exact for a correct implementation however they interleave.
    for _ in range(RACE_ROUNDS):
        product = create_product(api, admin, cleanup, stock=1)
        path = f"/products/{product['id']}"
        *patches, deletion = all_at_once(
            [
                *(
                    Call("PATCH", path, {"name": f"Racing widget {index}"}, admin.headers)
                    for index in range(RACING_UPDATES)
                ),
                Call("DELETE", path, headers=admin.headers),
            ]
        )
        expect_status(deletion, 204, why="the delete of an existing product succeeds")
        statuses = sorted(response.status_code for response in patches)
        expect(
            set(statuses) <= {200, 404},
            f"each of {RACING_UPDATES} updates racing a delete of their product answers 200 "
            "(before it) or 404 (after it), never a 5xx",
            None,
            f"statuses {statuses}",
        )
        gone = api.get(f"/products/{product['id']}")
        expect_status(gone, 404, why="the deleted product is gone, whatever raced it")
