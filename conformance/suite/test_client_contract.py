"""What generated clients rely on: field errors that point at the input, and null that is
never taken for an absent member."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from refarch.conformance.actors import Actor, Cleanup
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_problem
from refarch.conformance.order_shapes import address_pointer, order_address
from refarch.conformance.shop import create_product, get_product, order_body

pytestmark = [pytest.mark.services("orders", "catalog", "users"), pytest.mark.layer("scenarios")]

LOCATIONS = {"body", "query", "path", "header"}
#: RFC 6901: "" (the whole document) or "/"-separated tokens with ~0 and ~1 escapes
JSON_POINTER = re.compile(r"^(/([^~/]|~[01])*)*$")


def _entries(problem: dict[str, Any], response: httpx.Response) -> list[tuple[str, str]]:
    """``(in, field)`` of every errors entry, after checking each has the spec's form."""
    entries = []
    for error in problem.get("errors") or []:
        location, field = error.get("in"), error.get("field")
        expect(
            location in LOCATIONS
            and isinstance(field, str)
            and JSON_POINTER.match(field) is not None,
            "every errors entry has `in` (body, query, path or header) and a JSON Pointer "
            f"`field`, not {error!r}",
            response,
        )
        entries.append((str(location), str(field)))
    return entries


@pytest.mark.requirement("API-014")
def test_field_errors_point_at_the_input(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    body = order_body((product["id"], 1), (product["id"], 0))
    line = api.post("/orders", json=body, headers=alice.headers)
    problem = expect_problem(line, 422, why="the second line orders 0 units")
    expect(
        ("body", "/items/1/quantity") in _entries(problem, line),
        "an errors entry {in: body, field: /items/1/quantity}",
        line,
    )

    query = api.get("/products", params={"limit": "lots"})
    problem = expect_problem(query, 422, why="limit is not an integer")
    expect(
        ("query", "/limit") in _entries(problem, query),
        "an errors entry {in: query, field: /limit}",
        query,
    )

    headers = {**alice.headers, "Idempotency-Key": "k" * 256}
    header = api.post("/orders", json=order_body((product["id"], 1)), headers=headers)
    problem = expect_problem(header, 422, why="the Idempotency-Key is longer than 255 characters")
    # header names are case-insensitive (RFC 9110), so the pointer's case is not judged
    expect(
        ("header", "/idempotency-key") in {(i, f.lower()) for i, f in _entries(problem, header)},
        "an errors entry {in: header, field: /Idempotency-Key}",
        header,
    )
    expect(get_product(api, product["id"])["stock"] == 10, "refused orders take no stock")


@pytest.mark.requirement("API-015")
def test_null_for_an_optional_member_is_refused_not_ignored(
    api: ApiClient, admin: Actor, alice: Actor, cleanup: Cleanup
) -> None:
    product = create_product(api, admin, cleanup, stock=10)
    body = order_body((product["id"], 1))
    order_address(body)["line2"] = None  # what a model that dumps unset fields sends
    pointer = f"{address_pointer()}/line2"
    response = api.post("/orders", json=body, headers=alice.headers)
    problem = expect_problem(response, 422, why="line2 is optional but not nullable")
    expect(
        ("body", pointer) in _entries(problem, response),
        f"an errors entry {{in: body, field: {pointer}}}",
        response,
    )
    expect(get_product(api, product["id"])["stock"] == 10, "a refused order takes no stock")
