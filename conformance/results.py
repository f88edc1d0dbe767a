"""The outcome of a run: one record per test, and per requirement the verdict they add up to.

Verdict rules: a requirement fails if any of its tests failed; it is *skipped* (never
passed) if any of its tests were skipped or no test of this run covered it; it passes only
when every one of its tests ran and passed. The plugin fills a :class:`RunResult` in memory;
every report (JSON for tooling, JUnit XML, Markdown) is rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refarch.conformance.out_of_reach import OUT_OF_REACH
from refarch.requirements import RequirementCatalog

__all__ = ["RequirementVerdict", "RunResult", "TestRecord", "requirement_verdicts"]


@dataclass
class TestRecord:
    __test__ = False

    nodeid: str
    name: str
    requirements: list[str]
    outcome: str  # passed | failed | skipped
    duration: float = 0.0
    message: str = ""  # failure summary or skip reason
    expected: str = ""
    actual: str = ""
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    curl: list[str] = field(default_factory=list)
    details: str = ""  # full failure text (Schemathesis puts its reproduction here)


@dataclass
class RunResult:
    target: str
    version: str
    services: list[str]
    seed: int | None
    max_examples: int
    quick: bool
    started: str
    finished: str = ""
    tests: list[TestRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. what cleanup could not delete
    waivers: list[dict[str, str]] = field(default_factory=list)
    #: registrations and failed logins the run spent of the target's per-address limits
    address_budget: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(test.outcome == "failed" for test in self.tests)


@dataclass
class RequirementVerdict:
    id: str
    title: str
    statement: str
    owasp: list[str]
    status: str  # passed | failed | skipped
    reason: str
    tests: list[TestRecord]


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"


def requirement_verdicts(
    result: RunResult, catalog: RequirementCatalog, selected: list[str] | None = None
) -> list[RequirementVerdict]:
    verdicts = []
    for requirement in catalog:
        if selected and requirement.id not in selected:
            continue
        tests = [test for test in result.tests if requirement.id in test.requirements]
        outcomes = {test.outcome for test in tests}
        if "failed" in outcomes:
            failed = sum(test.outcome == "failed" for test in tests)
            status, reason = "failed", f"{failed} of {_tests(len(tests))} failed"
        elif not tests:
            status = "skipped"
            reason = OUT_OF_REACH.get(
                requirement.id,
                "no test of this run verifies it (service or requirement not selected)",
            )
        elif "skipped" in outcomes:
            reasons = sorted({test.message for test in tests if test.outcome == "skipped"})
            status, reason = "skipped", "; ".join(reasons)
        else:
            status, reason = "passed", f"{_tests(len(tests))} passed"
        verdicts.append(
            RequirementVerdict(
                requirement.id,
                requirement.title,
                requirement.statement,
                list(requirement.owasp),
                status,
                reason,
                tests,
            )
        )
    return verdicts
