"""AUTH-016, on request only: registration is throttled per client address.

Observing the limit means spending it: once the target answers 429, the suite's address
cannot register for the rest of the target's window (15 minutes in the reference), so
neither this run's other checks nor the next runs could register the accounts they need.
The check therefore runs only when ``--requirements`` names AUTH-016 explicitly, and then
last of all (the stateful layer's place). Without it, the report lists AUTH-016 as skipped
with that reason (``conformance.out_of_reach``).
"""

from __future__ import annotations

import pytest

from refarch.conformance.actors import Cleanup
from refarch.conformance.budget import throttling_expected
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_problem
from refarch.conformance.options import current_run
from refarch.conformance.testdata import random_email, random_password

RUN = current_run()
REQUIREMENT = "AUTH-016"
#: Well above the reference's default of 30, and a bound on what one run may create.
MAX_ATTEMPTS = 200

pytestmark = [
    pytest.mark.services("users"),
    pytest.mark.requirement(REQUIREMENT),
    pytest.mark.layer("stateful"),
]


def _registration() -> dict[str, str]:
    return {
        "email": random_email("throttle"),
        "password": random_password(),
        "first_name": "Conform",
        "last_name": "Throttle",
    }


def _test_registration_is_throttled_per_address(api: ApiClient, cleanup: Cleanup) -> None:
    accepted = 0
    with throttling_expected():  # the throttle is the subject here: its 429 is no setup problem
        for _ in range(MAX_ATTEMPTS):
            response = api.post("/auth/register", json=_registration())
            if response.status_code != 201:
                break
            accepted += 1
            cleanup.delete(f"/users/{response.json()['id']}")
    if accepted == MAX_ATTEMPTS:
        expect(
            False,
            f"429 within {MAX_ATTEMPTS} registrations from one address",
            None,
            f"all {MAX_ATTEMPTS} were accepted",
        )
    expect_problem(response, 429, why=f"registration {accepted + 1} from one address")
    retry_after = response.headers.get("retry-after", "")
    expect(
        retry_after.isdigit() and int(retry_after) > 0,
        "a Retry-After in seconds saying when the address may register again",
        response,
        f"Retry-After: {retry_after!r}",
    )
    expect(accepted >= 1, "registrations below the limit succeed", response, f"{accepted}")


# collected only on explicit request: see the module's docstring
if REQUIREMENT in RUN.requirements:
    test_registration_is_throttled_per_address = _test_registration_is_throttled_per_address
