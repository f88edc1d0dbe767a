"""Hostile but well-formed input at the protocol edge: duplicate JSON keys, deep nesting,
repeated query parameters, undeclared media types, HEAD and unknown methods. Each must be
refused (or served) cleanly, never guessed at and never a 5xx."""

from __future__ import annotations

import uuid

import pytest

from conformance.evidence import ApiClient
from conformance.expect import expect, expect_problem

pytestmark = [pytest.mark.layer("scenarios"), pytest.mark.services("users")]
JSON = {"Content-Type": "application/json"}


def _register_body(email: str) -> str:
    return f'"email": "{email}", "password": "a long enough passphrase", "first_name": "Dup"'


@pytest.mark.requirement("API-014")
def test_duplicate_json_keys_answer_400(api: ApiClient) -> None:
    first = f"dup-{uuid.uuid4().hex[:12]}@example.com"
    second = f"dup-{uuid.uuid4().hex[:12]}@example.com"
    # the same member twice: a reader keeping the first and one keeping the last disagree
    raw = "{" + _register_body(first) + f', "email": "{second}", "last_name": "Keys"' + "}"
    response = api.post("/auth/register", content=raw.encode(), headers=JSON)
    expect_problem(response, 400, why="a body that names a member twice is ambiguous")


@pytest.mark.requirement("API-015")
def test_deeply_nested_json_is_refused_at_any_depth(api: ApiClient) -> None:
    # depths either side of common recursion limits (a validator's ~250, a parser's 1024)
    for depth in (64, 300, 1000, 1100, 5000):
        nested = "[" * depth + "]" * depth
        raw = "{" + _register_body(f"deep-{uuid.uuid4().hex[:12]}@example.com")
        raw += f', "last_name": {nested}' + "}"
        response = api.post("/auth/register", content=raw.encode(), headers=JSON)
        expect(
            400 <= response.status_code < 500,
            f"a body nested {depth} levels deep is refused with a 4xx, never a 5xx",
            response,
        )
        expect_problem(response, response.status_code, why=f"JSON nested {depth} levels deep")
