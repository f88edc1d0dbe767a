"""Layer 1: Schemathesis property tests, one test per operation of every selected service.

Positive and negative data, every default check. Each request carries the identity the
operation needs: none for public operations, the admin's token for admin-only ones
(``x-required-role: admin``) and a fresh ordinary user's token for the rest. Checks are
relaxed only by a waiver in ``conformance/schemathesis.toml``.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from refarch.conformance.actors import Cleanup
from refarch.conformance.budget import SPENT, observe, refuse_if_throttled, suite_throttled
from refarch.conformance.options import current_run
from refarch.conformance.schemas import (
    hypothesis_settings,
    operation_index,
    service_schema,
)

RUN = current_run()

REQUIREMENTS = ("API-013",)


def _retry_after(headers: dict[str, list[str]]) -> list[str] | None:
    return next((v for k, v in headers.items() if k.lower() == "retry-after"), None)


pytestmark = [pytest.mark.requirement(*REQUIREMENTS), pytest.mark.layer("properties")]


def _verify_operation(case: schemathesis.Case[Any], cleanup: Cleanup) -> None:
    refuse_if_throttled()
    operation = operation_index(RUN.version)[(case.operation.method.upper(), case.operation.path)]
    if not SPENT.left(operation.operation_id):
        # generated registrations and failed logins count against the suite's address:
        # past the run's budget the case is not sent (and the report says how many were not)
        SPENT.withheld += 1
        return
    response = case.call()
    observe(case.operation.method, case.operation.path, response.status_code, generated=True)
    if response.status_code == 429 and operation.operation_id == "registerUser":
        # a generated login may meet a correct per-account limit (the same generated email
        # failing again); a registration only the per-address one: the suite's own address
        raise suite_throttled(
            f"{operation.method} {operation.path} (a generated registration)",
            _retry_after(response.headers),
        )
    if response.status_code == 201:
        cleanup.delete_created(operation.operation_id, response.status_code, response.json())
    case.validate_response(response)  # with the waivers of schemathesis.toml


def _property_test(service: str) -> Any:
    # a function per service: pytest keeps marks on the function object itself
    @service_schema(RUN, service).parametrize()
    @pytest.mark.services(service)
    @hypothesis_settings(RUN)
    def test(case: schemathesis.Case[Any], generated_identities: None, cleanup: Cleanup) -> None:
        _verify_operation(case, cleanup)

    test.__name__ = f"test_{service}_operation"
    return test


# building a Hypothesis test per operation costs seconds: only when this run wants them
for _service in RUN.services if RUN.selects(*REQUIREMENTS) else ():
    globals()[f"test_{_service}_operation"] = _property_test(_service)
