"""Layer 2: stateful sequences that follow the specs' OpenAPI links.

Schemathesis chains calls through ``links`` (register → read back → log in → refresh;
create product → read; place order → read → cancel) and runs every default check on
each step, with the waivers of ``conformance/schemathesis.toml``. The whole service schema
is used, never one operation: filtering breaks the link graph (the stateful phase then
fails with "Missing Open API links"). Operations that read an object created earlier in
the chain by another identity (owner-or-admin reads) are called as the admin, so the chain
tests the link, while the security layer tests ownership.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
from schemathesis import Case, Response
from schemathesis.openapi.checks import EnsureResourceAvailability, UseAfterFree

from refarch.conformance.actors import Actor, Cleanup, register_user
from refarch.conformance.budget import SPENT, observe, refuse_if_throttled, suite_throttled
from refarch.conformance.evidence import ApiClient
from refarch.conformance.fixtures import BLAMED
from refarch.conformance.generated_auth import IDENTITIES
from refarch.conformance.kept_accounts import SPARE, kept_user
from refarch.conformance.options import current_run
from refarch.conformance.schemas import operation_index, service_schema
from refarch.specs import load_openapi

RUN = current_run()
#: Sequences per service. Hypothesis assumes a test's data depends only on its own draws;
#: here links draw from server responses, and past ~10 sequences repeated prefixes meet a
#: server whose state has moved on ("FlakyStrategyDefinition"). Depth comes from the steps.
SEQUENCES, SEQUENCES_QUICK = 10, 3
OWNER_OR_ADMIN_READS = frozenset({"getUser", "getOrder", "cancelOrder"})

REQUIREMENTS = ("API-013", "API-012")
pytestmark = [pytest.mark.requirement(*REQUIREMENTS), pytest.mark.layer("stateful")]


def _has_links(service: str) -> bool:
    document = load_openapi(service, RUN.version)
    return any(
        response.get("links")
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
        for response in (operation.get("responses") or {}).values()
        if isinstance(response, dict)
    )


_SEQUENCE_USERS: list[Actor] = []
#: ids of the accounts linked registerUser steps created: the only ones a step may delete
_SEQUENCE_CREATED: set[str] = set()


def _sequence_user(api: ApiClient, cleanup: Cleanup) -> Actor:
    """The previous service's sequence user (at first the generated layers' user) while it
    is still an active customer, else a new one: every registration counts against the
    suite's address."""
    for previous in _SEQUENCE_USERS[-1:] or [u for u in (IDENTITIES.user,) if u]:
        me = api.get("/users/me", headers=previous.headers)
        profile = me.json() if me.status_code == 200 else {}
        if profile.get("status") == "active" and profile.get("role") == "customer":
            return previous
    # the spare kept between runs, restored (conformance.kept_accounts): a sequence may
    # suspend or demote its user, and a registration would count against the address
    admin = IDENTITIES.admin
    fresh = kept_user(api, admin, SPARE) if admin else register_user(api, cleanup, role="stateful")
    _SEQUENCE_USERS.append(fresh)
    return _SEQUENCE_USERS[-1]


def _run_sequences(service: str, api: ApiClient, cleanup: Cleanup) -> None:
    index = operation_index(RUN.version)
    base = service_schema(RUN, service).as_state_machine()

    class Sequences(base):  # type: ignore[valid-type, misc]
        def before_call(self, case: Case[Any]) -> None:
            # Schemathesis infers links such as listUsers -> adminUpdateUser/deleteUser, and a
            # list read as the admin contains the admin: a step could demote or suspend the
            # operator's own account, failing every later run against the target. Such a
            # step is aimed at the sequence's own user instead; the link is still exercised.
            refuse_if_throttled()
            operation_id = index[(case.operation.method.upper(), case.operation.path)].operation_id
            if not SPENT.left(operation_id, sequence=True):
                # the sequences' share of registrations and failed logins is spent (see
                # conformance.budget): this sequence is dropped before the step is sent
                SPENT.withheld += 1
                hypothesis.reject()
            parameters = case.path_parameters or {}
            admin, user = IDENTITIES.admin, IDENTITIES.user
            target = parameters.get("user_id")
            if admin and user and target and target not in _SEQUENCE_CREATED:
                if operation_id == "deleteUser":
                    # an account no sequence created (the operator, the accounts kept
                    # between runs, people on a shared deployment) is never deleted: a
                    # deleted kept account costs the next run a registration
                    hypothesis.reject()
                if target == admin.user_id:
                    parameters["user_id"] = user.user_id

        def after_call(self, response: Response, case: Case[Any]) -> None:
            super().after_call(response, case)  # the recorder that stateful checks consult
            operation_id = index[(case.operation.method.upper(), case.operation.path)].operation_id
            observe(case.operation.method, case.operation.path, response.status_code, sequence=True)
            if response.status_code == 429 and operation_id == "registerUser":
                # only the per-address limit refuses a registration (a login may meet a
                # correct per-account limit: a generated email failing again)
                retry_after = next(
                    (v for k, v in response.headers.items() if k.lower() == "retry-after"), None
                )
                raise suite_throttled(f"a linked {operation_id} step", retry_after)
            if response.status_code == 201:
                cleanup.delete_created(operation_id, response.status_code, response.json())
                if operation_id == "registerUser":
                    _SEQUENCE_CREATED.add(str(response.json().get("id")))

    # a user of its own: admin steps in the sequence may suspend or delete whoever they find
    property_user, IDENTITIES.user = IDENTITIES.user, _sequence_user(api, cleanup)
    IDENTITIES.also_as_admin = OWNER_OR_ADMIN_READS
    # the run's seed makes the sequences replayable too (Schemathesis seeds only the
    # property tests from its configuration)
    hypothesis.seed(RUN.seed)(Sequences)
    try:
        Sequences.run(
            settings=hypothesis.settings(
                max_examples=SEQUENCES_QUICK if RUN.quick else SEQUENCES,
                stateful_step_count=6 if RUN.quick else 10,
                deadline=None,
                database=None,
                suppress_health_check=list(hypothesis.HealthCheck),
                # No shrinking: replaying a sequence against a server whose state has moved on
                # draws different links and Hypothesis reports "flaky" instead of the failure.
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
        )
    finally:
        IDENTITIES.also_as_admin = frozenset()
        IDENTITIES.user = property_user


#: Checks that only a sequence can make, and the requirement they verify; every other
#: failure of a step is a broken contract of that operation (API-013).
_RESOURCE_CHECKS = (EnsureResourceAvailability, UseAfterFree)


def _blamed(error: BaseException) -> tuple[str, ...]:
    """The requirements one failed sequence breaks, each named once."""
    failures = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else [error]
    resource = [f for f in failures if isinstance(f, _RESOURCE_CHECKS)]
    if not resource:
        return ("API-013",)
    return ("API-012",) if len(resource) == len(failures) else ("API-012", "API-013")


def _stateful_test(service: str) -> Any:
    @pytest.mark.services(service)
    def test(
        generated_identities: None, api: ApiClient, cleanup: Cleanup, request: pytest.FixtureRequest
    ) -> None:
        try:
            _run_sequences(service, api, cleanup)
        except Exception as error:
            request.node.stash[BLAMED] = _blamed(error)
            raise

    test.__name__ = f"test_{service}_linked_sequences"
    return test


for _service in RUN.services if RUN.selects(*REQUIREMENTS) else ():
    if _has_links(_service):
        globals()[f"test_{_service}_linked_sequences"] = _stateful_test(_service)
