"""The identities the suite acts as: the operator's admin and ordinary users it registers.

Security checks need at least two ordinary users (to try to reach each other's data) and
the admin. The accounts a run can leave usable are kept for the next run
(conformance.kept_accounts); the others are registered per check and deleted at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from refarch.conformance.budget import refuse_if_throttled
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect_status, json_body, json_object
from refarch.conformance.testdata import random_email, random_password

__all__ = ["Actor", "Cleanup", "Registration", "log_in", "register", "register_user"]


@dataclass
class Actor:
    email: str
    password: str = field(repr=False)
    user_id: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def log_in(client: ApiClient, email: str, password: str) -> dict[str, Any]:
    """Log in with credentials the suite knows to be valid."""
    refuse_if_throttled()
    # a 429 here stops the run as a setup problem (see conformance.budget)
    response = client.post("/auth/login", json={"email": email, "password": password})
    expect_status(response, 200, why="login with valid credentials returns a token pair")
    return json_object(response)


def _me(client: ApiClient, token: str) -> dict[str, Any]:
    response = client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    expect_status(response, 200, why="a valid access token reads its own profile")
    return json_object(response)


def actor_for(client: ApiClient, email: str, password: str) -> Actor:
    tokens = log_in(client, email, password)
    profile = _me(client, tokens["access_token"])
    return Actor(email, password, profile["id"], tokens["access_token"], tokens["refresh_token"])


@dataclass(frozen=True)
class Registration:
    """One ``POST /auth/register``: what was sent and what came back."""

    email: str
    password: str = field(repr=False)
    response: httpx.Response


def register(
    client: ApiClient, cleanup: Cleanup, *, role: str = "user", **fields: Any
) -> Registration:
    """Register a fresh account and schedule its deletion if one was made.

    The answer is the caller's to judge: the registration check (AUTH-001) must be the one
    that fails on a refused registration, not whichever step asked first."""
    email = fields.pop("email", None) or random_email(role)
    password = random_password()
    body = {
        "email": email,
        "password": password,
        "first_name": "Conform",
        "last_name": role.title(),
    }
    refuse_if_throttled()
    response = client.post("/auth/register", json={**body, **fields})
    try:
        created = response.json() if response.status_code == 201 else None
    except ValueError:
        created = None  # the caller reports the body; there is no id to delete by
    if isinstance(created, dict) and "id" in created:
        cleanup.delete(f"/users/{created['id']}")
    return Registration(email, password, response)


def register_user(
    client: ApiClient, cleanup: Cleanup, *, role: str = "user", **fields: Any
) -> Actor:
    """Register a fresh customer, log it in, and schedule its deletion."""
    registration = register(client, cleanup, role=role, **fields)
    response = registration.response
    expect_status(response, 201, why="registering a new, valid account succeeds")
    json_body(response)  # a 201 whose body is not the account fails here, saying so
    return actor_for(client, registration.email, registration.password)


class Cleanup:
    """Deletes what the run created, newest first, with the admin's token, at session end.

    Failures are reported but never fail the run: the API may legitimately refuse
    (a category still referenced), and what the API does not let us delete stays.
    """

    def __init__(self) -> None:
        self._paths: list[str] = []

    #: Where what a generated create made can be deleted again, by operationId.
    DELETE_PATHS = {
        "registerUser": "/users/{id}",
        "createCategory": "/categories/{id}",
        "createProduct": "/products/{id}",
    }

    def delete(self, path: str) -> None:
        self._paths.append(path)

    def delete_created(self, operation_id: str, status: int, body: Any) -> None:
        """Schedule the deletion of what a successful generated create made."""
        path = self.DELETE_PATHS.get(operation_id)
        if path and status == 201 and isinstance(body, dict) and "id" in body:
            self.delete(path.format(id=body["id"]))

    def run(self, client: httpx.Client, admin_headers: dict[str, str]) -> list[str]:
        leftovers = []
        for path in reversed(self._paths):
            try:
                response = client.delete(path, headers=admin_headers)
            except httpx.HTTPError as error:
                leftovers.append(f"DELETE {path}: {error}")
                continue
            if response.status_code not in (204, 404):
                leftovers.append(f"DELETE {path}: HTTP {response.status_code}")
        self._paths.clear()
        return leftovers
