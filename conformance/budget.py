"""The suite's own use of what a correct target throttles per client address.

Every request of a run comes from one client address, and a correct implementation limits
registrations and failed logins per address (AUTH-013, AUTH-016; the reference
implementation allows 30 registrations and 100 failed logins per address in 15 minutes).
A suite that spends those limits fails its own next run, so the run counts what it spends,
reports the counts, and holds the property tests to :data:`GENERATED_BUDGET` (the
scenarios' own use is fixed by their code; see the conformance guide for the figures).

A 429 to the suite's *own* valid credentials or registrations is a setup problem of the
run, never a failure of the requirement under test: :class:`SuiteThrottled` stops the run,
and the CLI exits 2 and says how long the target wants it to wait.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "GENERATED_BUDGET",
    "KEPT_ACCOUNTS",
    "REPEAT_RUN_BUDGET",
    "RUN_BUDGET",
    "SEQUENCE_BUDGET",
    "SPENT",
    "AddressBudget",
    "Spent",
    "SuiteThrottled",
    "check_not_throttled",
    "observe",
    "refuse_if_throttled",
    "suite_throttled",
    "throttling_expected",
]

#: What a target may count against the suite's address: a registration that got past
#: request validation (201 or 409: the reference counts both, an enumeration would make 409s)
_COUNTED_REGISTRATION = frozenset({201, 409})
_THROTTLED = frozenset({"POST /auth/register", "POST /auth/login"})


@dataclass(frozen=True)
class AddressBudget:
    registrations: int
    failed_logins: int


#: The generated layers' shares: past them, a generated registration or login is not sent
#: (and the report says how many were not).
GENERATED_BUDGET = AddressBudget(registrations=1, failed_logins=8)  # property tests
SEQUENCE_BUDGET = AddressBudget(registrations=1, failed_logins=4)  # stateful sequences
#: Accounts a run keeps on the target for the next runs (conformance.kept_accounts
#: KEPT_ROLES): registered by the first run against a target, restored by later ones.
KEPT_ACCOUNTS = 5
#: The most a run spends once the target holds the kept accounts: the six registrations
#: checks must make (the registration itself, a duplicate's 409, two accounts deleted, two
#: locked by the login throttle), the generated layers' shares, and the failed logins of
#: the checks plus theirs. Three such runs fit the reference's defaults (30 registrations
#: and 100 failed logins per address and 15-minute window), and so do a first run and two
#: repeats (13 + 8 + 8 registrations).
REPEAT_RUN_BUDGET = AddressBudget(registrations=8, failed_logins=33)
#: The most one run spends: a first run against a target also registers the kept accounts.
RUN_BUDGET = AddressBudget(
    registrations=REPEAT_RUN_BUDGET.registrations + KEPT_ACCOUNTS,
    failed_logins=REPEAT_RUN_BUDGET.failed_logins,
)


@dataclass
class Spent:
    """What this run has spent so far, counted from the target's answers."""

    registrations: int = 0
    failed_logins: int = 0
    generated_registrations: int = 0
    generated_failed_logins: int = 0
    sequence_registrations: int = 0
    sequence_failed_logins: int = 0
    #: generated cases not sent because the budget was spent (reported, never hidden)
    withheld: int = 0
    throttled: str = ""  # why the run had to stop, once the target throttled the suite
    expecting_throttle: bool = False  # inside a check of the throttle itself

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def reset(self) -> None:
        self.registrations = self.failed_logins = self.withheld = 0
        self.generated_registrations = self.generated_failed_logins = 0
        self.sequence_registrations = self.sequence_failed_logins = 0
        self.throttled = ""
        self.expecting_throttle = False

    def left(self, operation_id: str, *, sequence: bool = False) -> bool:
        """May one more generated case (or sequence step) of this operation be sent?"""
        if sequence:
            registrations, failed_logins = self.sequence_registrations, self.sequence_failed_logins
            share = SEQUENCE_BUDGET
        else:
            registrations, failed_logins = (
                self.generated_registrations,
                self.generated_failed_logins,
            )
            share = GENERATED_BUDGET
        if operation_id == "registerUser":
            return registrations < share.registrations
        if operation_id == "login":
            return failed_logins < share.failed_logins
        return True


SPENT = Spent()


class SuiteThrottled(Exception):
    """The target throttled the suite's own address: the run cannot go on."""


def _endpoint(method: str, url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    return f"{method.upper()} {path[path.find('/auth/') :] if '/auth/' in path else path}"


def observe(
    method: str, url: str, status: int, *, generated: bool = False, sequence: bool = False
) -> None:
    """Count one answer of the target (every client of the suite calls this)."""
    endpoint = _endpoint(method, url)
    if endpoint == "POST /auth/register" and status in _COUNTED_REGISTRATION:
        SPENT.registrations += 1
        SPENT.generated_registrations += generated
        SPENT.sequence_registrations += sequence
    elif endpoint == "POST /auth/login" and status == 401:
        SPENT.failed_logins += 1
        SPENT.generated_failed_logins += generated
        SPENT.sequence_failed_logins += sequence


@contextlib.contextmanager
def throttling_expected() -> Iterator[None]:
    """Around a check whose subject is the throttle itself (AUTH-012, AUTH-016): its 429s
    are the behaviour under test, not a setup problem."""
    previous, SPENT.expecting_throttle = SPENT.expecting_throttle, True
    try:
        yield
    finally:
        SPENT.expecting_throttle = previous


def check_not_throttled(method: str, url: str, status: int, retry_after: str | None) -> None:
    """A 429 to a registration or login the suite sends outside a throttling check means
    the target throttled the suite's address (AUTH-013, AUTH-016): a setup problem, which
    must not be reported as a failure of the requirement under test."""
    endpoint = _endpoint(method, url)
    if status == 429 and endpoint in _THROTTLED and not SPENT.expecting_throttle:
        raise suite_throttled(endpoint, retry_after)


def suite_throttled(what: str, retry_after: str | list[str] | None) -> SuiteThrottled:
    """The error for a 429 to the suite's own valid request; remembered for the run.

    ``retry_after`` as httpx (a string) or Schemathesis (a list of values) gives it."""
    if isinstance(retry_after, list):
        retry_after = retry_after[0] if retry_after else None
    retry_after = retry_after or None
    wait = f"{retry_after} s" if retry_after else "an unstated time (no Retry-After)"
    SPENT.throttled = (
        f"the target throttled the suite's client address: {what} answered 429, "
        f"Retry-After {wait}. This run had made {SPENT.registrations} registrations and "
        f"{SPENT.failed_logins} failed logins (its budget: {RUN_BUDGET.registrations} and "
        f"{RUN_BUDGET.failed_logins}); earlier runs or other clients from this address spent "
        f"the rest of the target's per-address limits. Wait {wait} and run again, or raise the "
        "target's per-address limits for the suite's address"
    )
    return SuiteThrottled(SPENT.throttled)


def refuse_if_throttled() -> None:
    """Once throttled, every later step stops at once instead of sending more requests."""
    if SPENT.throttled:
        raise SuiteThrottled(SPENT.throttled)
