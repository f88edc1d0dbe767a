"""Layer 2: stateful sequences that follow the specs' OpenAPI links.

Schemathesis chains calls through ``links`` (register → read back → log in → refresh;
create product → read; place order → read → cancel) and runs every default check on
each step. The whole service schema is used, never one operation: filtering breaks the
link graph (FACTS.md). Operations that read an object created earlier in the chain by
another identity (owner-or-admin reads) are called as the admin, so the chain tests the
link, while the security layer tests ownership.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
from schemathesis import Case, Response

from conformance.actors import Actor, Cleanup, register_user
from conformance.evidence import ApiClient
from conformance.options import current_run
from conformance.schemas import (
    credentials,
    operation_index,
    service_schema,
    waived_check_functions,
)
from conformance.waivers import load_waivers
from refarch.specs import load_openapi

RUN = current_run()
WAIVERS = load_waivers()
OWNER_OR_ADMIN_READS = frozenset({"getUser", "getOrder", "cancelOrder"})

REQUIREMENTS = ("API-013", "API-012")
pytestmark = [pytest.mark.requirement(*REQUIREMENTS), pytest.mark.layer("stateful")]


@pytest.fixture(scope="session")
def stateful_user(api: ApiClient, cleanup: Cleanup) -> Actor:
    return register_user(api, cleanup, role="stateful")


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


def _run_sequences(service: str, user: Actor, admin: Actor, cleanup: Cleanup) -> None:
    index = operation_index(RUN.version)
    base = service_schema(RUN, service).as_state_machine()

    class Sequences(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            operation = index[(case.operation.method.upper(), case.operation.path)]
            as_admin = operation.admin_only or operation.operation_id in OWNER_OR_ADMIN_READS
            headers = credentials(case, operation, admin if as_admin else user)
            return {"headers": headers} if headers else {}

        def validate_response(
            self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            operation_id = index[(case.operation.method.upper(), case.operation.path)].operation_id
            waived = waived_check_functions(WAIVERS, operation_id, response.status_code)
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=waived,
                transport_kwargs=kwargs,
            )

        def after_call(self, response: Response, case: Case) -> None:
            operation_id = index[(case.operation.method.upper(), case.operation.path)].operation_id
            if response.status_code == 201:
                cleanup.delete_created(operation_id, response.status_code, response.json())

    Sequences.run(
        settings=hypothesis.settings(
            max_examples=max(2, RUN.max_examples // 3),
            stateful_step_count=6 if RUN.quick else 10,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


def _stateful_test(service: str) -> Any:
    @pytest.mark.services(service)
    def test(stateful_user: Actor, admin: Actor, cleanup: Cleanup) -> None:
        _run_sequences(service, stateful_user, admin, cleanup)

    test.__name__ = f"test_{service}_linked_sequences"
    return test


for _service in RUN.services if RUN.selects(*REQUIREMENTS) else ():
    if _has_links(_service):
        globals()[f"test_{_service}_linked_sequences"] = _stateful_test(_service)
