"""The suite's shared fixtures: API client, admin, two ordinary users, cleanup.

Module-level functions (pytest deprecates session fixtures defined as methods of a plugin
object); :class:`~conformance.plugin.ConformanceRun` registers this module and hands it the
run's options and the list that collects cleanup notes through ``config.stash``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from refarch.conformance.actors import (
    Actor,
    Cleanup,
    Registration,
    actor_for,
    register,
    register_user,
)
from refarch.conformance.evidence import ApiClient, register_secret
from refarch.conformance.expect import expect_status
from refarch.conformance.generated_auth import IDENTITIES
from refarch.conformance.kept_accounts import kept_user
from refarch.conformance.options import ADMIN_PASSWORD_ENV, RunOptions

__all__ = ["BLAMED", "CLEANUP_NOTES", "OPTIONS"]

OPTIONS = pytest.StashKey[RunOptions]()
#: what cleanup could not delete, for the report's notes
CLEANUP_NOTES = pytest.StashKey[list[str]]()
#: set by a test tagged with several requirements when its failure breaks only some of them,
#: so the report names the failure once (a test item's stash)
BLAMED = pytest.StashKey[tuple[str, ...]]()


@pytest.fixture(scope="session")
def run_options(pytestconfig: pytest.Config) -> RunOptions:
    return pytestconfig.stash[OPTIONS]


@pytest.fixture(scope="session")
def api(run_options: RunOptions) -> Iterator[ApiClient]:
    with ApiClient(base_url=run_options.api_url, timeout=20.0) as client:
        yield client


@pytest.fixture(scope="session")
def admin(run_options: RunOptions, api: ApiClient) -> Actor:
    register_secret(run_options.admin_password, f"${ADMIN_PASSWORD_ENV}")
    actor = actor_for(api, run_options.admin_email, run_options.admin_password)
    register_secret(actor.access_token, "$ADMIN_TOKEN")
    register_secret(actor.refresh_token, "$ADMIN_REFRESH_TOKEN")
    return actor


@pytest.fixture(scope="session")
def cleanup(pytestconfig: pytest.Config, api: ApiClient, admin: Actor) -> Iterator[Cleanup]:
    registry = Cleanup()
    yield registry
    pytestconfig.stash[CLEANUP_NOTES].extend(registry.run(api, admin.headers))


@pytest.fixture(scope="session")
def registration(api: ApiClient, cleanup: Cleanup) -> Registration:
    """The account this run registers to check registration (AUTH-001).

    Made once per run and shared: a check that needs a customer registered *during* the
    run (analytics' new customers, ANL-007) logs into this one instead of registering
    another, because every registration counts against the suite's address
    (conformance.budget). The response is checked by the registration test, not here, so
    a refused registration fails AUTH-001 and not whichever check asked first."""
    return register(api, cleanup, role="register")


@pytest.fixture(scope="session")
def registered(api: ApiClient, registration: Registration) -> Actor:
    """The run's newly registered customer (see ``registration``), logged in."""
    expect_status(registration.response, 201, why="registering a new, valid account succeeds")
    return actor_for(api, registration.email, registration.password)


@pytest.fixture(scope="session")
def alice(api: ApiClient, admin: Actor) -> Actor:
    # kept between runs (conformance.kept_accounts): checks leave the shared customers as
    # they found them, and every registration counts against the suite's address
    return kept_user(api, admin, "alice")


@pytest.fixture(scope="session")
def bob(api: ApiClient, admin: Actor) -> Actor:
    return kept_user(api, admin, "bob")


@pytest.fixture(scope="session")
def carol(api: ApiClient, admin: Actor) -> Actor:
    """A customer whose own profile tests may change (alice and bob stay as registered);
    should a check change her password, the next run registers a new carol."""
    return kept_user(api, admin, "carol")


@pytest.fixture(scope="session")
def generated_identities(admin: Actor, carol: Actor) -> None:
    """Who Schemathesis-generated requests act as (see conformance.generated_auth): carol,
    whose profile generated updates may change (the layers that use her run last)."""
    IDENTITIES.admin = admin
    IDENTITIES.user = carol


@pytest.fixture
def new_user(api: ApiClient, cleanup: Cleanup) -> Callable[..., Actor]:
    """A factory for new users a test may lock or delete (never kept between runs)."""

    def make(**fields: Any) -> Actor:
        return register_user(api, cleanup, **fields)

    return make
