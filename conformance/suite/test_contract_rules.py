"""Cross-cutting contract rules every operation follows: errors, methods, media types,
body limits, validation messages, request ids, pagination and created resources."""

from __future__ import annotations

import re

import pytest

from refarch.conformance.actors import Actor
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import (
    body_text,
    expect,
    expect_problem,
    expect_status,
    json_body,
    named_fields,
)
from refarch.conformance.options import current_run
from refarch.conformance.schemas import operation_index
from refarch.conformance.testdata import MISSING_ID

pytestmark = [pytest.mark.services("users", "catalog"), pytest.mark.layer("scenarios")]
RUN = current_run()
#: words that show a raw JSON Schema or an internal path leaked into a validation message
SCHEMA_JARGON = re.compile(
    r"additionalProperties|minLength|maxLength|minItems|maxItems|\$ref|#/components|jsonschema"
    r"|\^\S*\$"  # a raw regular expression copied from the schema
)


@pytest.mark.requirement("API-001")
def test_every_error_is_problem_json(api: ApiClient, alice: Actor) -> None:
    cases = [
        (api.get(f"/products/{MISSING_ID}"), 404, "an unknown id"),
        (api.get("/users/me"), 401, "no token"),
        (api.get("/users", headers=alice.headers), 403, "a customer calling an admin operation"),
        (api.get("/products", params={"limit": 0}), 422, "an invalid query parameter"),
        (
            api.post(
                "/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
            ),
            400,
            "malformed JSON",
        ),
    ]
    for response, status, what in cases:
        expect_problem(response, status, why=what)


@pytest.mark.requirement("API-002")
def test_wrong_methods_answer_405_with_exactly_the_documented_methods(
    api: ApiClient, alice: Actor
) -> None:
    documented: dict[str, set[str]] = {}
    for (method, path), _ in operation_index(RUN.version).items():
        documented.setdefault(path, set()).add(method)
    for path in ("/products", "/auth/login", "/users/me"):
        wrong = next(m for m in ("PUT", "DELETE", "PATCH", "POST") if m not in documented[path])
        response = api.request(wrong, path, headers=alice.headers)
        expect_problem(response, 405, why=f"{wrong} {path} is not documented")
        allowed = {
            m.strip().upper() for m in response.headers.get("allow", "").split(",") if m.strip()
        }
        expect(
            allowed - {"HEAD", "OPTIONS"} == documented[path],
            f"Allow lists exactly {sorted(documented[path])}",
            response,
            f"Allow: {response.headers.get('allow')!r}",
        )


@pytest.mark.requirement("API-003")
def test_non_json_bodies_answer_415(api: ApiClient) -> None:
    response = api.post(
        "/auth/login",
        content=b"email=a@example.com&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    expect_problem(response, 415, why="request bodies must be application/json")


@pytest.mark.requirement("API-004")
def test_oversized_bodies_answer_413(api: ApiClient) -> None:
    padding = "x" * (2 * 1024 * 1024)
    response = api.post(
        "/auth/login",
        content=f'{{"email":"a@example.com","password":"{padding}"}}'.encode(),
        headers={"Content-Type": "application/json"},
    )
    expect_problem(response, 413, why="a 2 MiB body is over the 1 MiB limit")


@pytest.mark.requirement("API-005")
def test_malformed_json_answers_400(api: ApiClient) -> None:
    response = api.post(
        "/auth/register",
        content=b'{"email": "a@example.com",',
        headers={"Content-Type": "application/json"},
    )
    expect_problem(response, 400, why="the body is not well-formed JSON")


@pytest.mark.requirement("API-006")
def test_validation_failures_name_fields_in_plain_words(api: ApiClient, alice: Actor) -> None:
    response = api.patch("/users/me", json={"first_name": "", "phone": "12"}, headers=alice.headers)
    problem = expect_problem(response, 422, why="an empty name and a malformed phone")
    named = named_fields(problem)
    missing = sorted({"first_name", "phone"} - named)
    expect(
        not missing,
        f"an errors entry for each failing field; none names {' or '.join(missing)}",
        response,
        f"errors name {sorted(named)}: {body_text(response)}",
    )
    jargon = [
        e for e in problem.get("errors") or [] if SCHEMA_JARGON.search(str(e.get("message", "")))
    ]
    expect(
        not jargon, "messages in plain words, without JSON Schema keywords or fragments", response
    )
    query = api.get("/products", params={"limit": "lots"})
    limit_problem = expect_problem(query, 422, why="a non-integer limit")
    expect(
        "limit" in named_fields(limit_problem),
        "an errors entry naming the query parameter limit",
        query,
        f"errors name {sorted(named_fields(limit_problem))}: {body_text(query)}",
    )


@pytest.mark.requirement("API-007")
def test_unknown_body_members_are_refused(api: ApiClient, alice: Actor) -> None:
    response = api.patch(
        "/users/me",
        json={"last_name": "Unchanged?", "favourite_colour": "blue"},
        headers=alice.headers,
    )
    problem = expect_problem(response, 422, why="favourite_colour is not a documented member")
    expect(
        "favourite_colour" in named_fields(problem), "the undocumented member is named", response
    )
    me = json_body(api.get("/users/me", headers=alice.headers))
    expect(me["last_name"] != "Unchanged?", "a refused request changes nothing", None, str(me))


@pytest.mark.requirement("API-008")
def test_unknown_paths_answer_404(api: ApiClient) -> None:
    for path in ("/no-such-resource", f"/products/{MISSING_ID}/reviews"):
        expect_problem(api.get(path), 404, why=f"{path} is documented nowhere")


@pytest.mark.requirement("API-009")
def test_every_response_carries_a_request_id(api: ApiClient) -> None:
    mine = api.get("/products", headers={"X-Request-ID": "conform.trace-42"})
    expect(
        mine.headers.get("x-request-id") == "conform.trace-42",
        "the client's valid request id is kept",
        mine,
    )
    bad = api.get("/products/not-a-uuid", headers={"X-Request-ID": "bad id with spaces"})
    fresh = bad.headers.get("x-request-id", "")
    expect(
        bool(fresh) and fresh != "bad id with spaces",
        "an invalid client id is replaced by a fresh one",
        bad,
    )
    expect(json_body(bad).get("request_id") == fresh, "problem bodies repeat the request id", bad)


@pytest.mark.requirement("API-010")
def test_page_sizes_are_bounded(api: ApiClient, admin: Actor) -> None:
    for params in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"offset": 10001}):
        response = api.get("/products", params=params)
        expect_problem(response, 422, why=f"{params} is outside limit 1..100 / offset 0..10000")
    default = json_body(expect_status(api.get("/products"), 200, why="defaults apply"))
    expect(
        default["page"]["limit"] == 20 and default["page"]["offset"] == 0,
        "defaults limit 20, offset 0",
        None,
        str(default["page"]),
    )
    echo = json_body(api.get("/users", params={"limit": 100, "offset": 1}, headers=admin.headers))
    expect(
        echo["page"]["limit"] == 100 and echo["page"]["offset"] == 1 and len(echo["items"]) <= 100,
        "the applied values are echoed in page",
        None,
        str(echo["page"]),
    )


@pytest.mark.requirement("API-011")
def test_walking_the_pages_returns_every_item_once(api: ApiClient) -> None:
    first = json_body(
        expect_status(api.get("/categories", params={"limit": 100}), 200, why="list categories")
    )
    total = first["page"]["total"]
    seen: list[str] = []
    for offset in range(0, min(total, 60), 3):
        page = json_body(api.get("/categories", params={"limit": 3, "offset": offset}))
        seen += [item["id"] for item in page["items"]]
    expected = [item["id"] for item in first["items"]][: len(seen)]
    expect(
        seen == expected,
        "pages of 3 concatenate to the first 100, in order, without repeats",
        None,
        f"{len(seen)} ids, {len(set(seen))} distinct",
    )
