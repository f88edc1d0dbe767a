"""The pytest plugin that turns the packaged suite into a conformance run.

The caller builds it with the run's options and hands the object to pytest. It refuses
tests whose requirement ids are not in the catalog, keeps only the tests of the selected
services and requirements, registers the shared fixtures (``conformance.fixtures``), and
records every outcome with its evidence in a
:class:`~conformance.results.RunResult` that the caller reports from.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime

import pytest

from refarch.conformance import fixtures
from refarch.conformance.budget import RUN_BUDGET, SPENT
from refarch.conformance.evidence import TestLog
from refarch.conformance.expect import ContractViolation
from refarch.conformance.failure_text import parse_failure
from refarch.conformance.options import RunOptions, activate
from refarch.conformance.results import (
    RequirementVerdict,
    RunResult,
    TestRecord,
    requirement_verdicts,
)
from refarch.conformance.waivers import load_waivers
from refarch.requirements import RequirementCatalog


class ConformanceRun:
    """The run's plugin: pass it to ``pytest.main(args, plugins=[run])``.

    It holds the options the run was started with and collects every outcome in
    :attr:`result`, in memory, for the caller to report once pytest returns.
    """

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.catalog = RequirementCatalog.load(options.version)
        self.waivers = load_waivers()
        self.result = RunResult(
            target=options.base_url,
            version=options.version,
            services=list(options.services),
            seed=options.seed,
            max_examples=options.max_examples,
            quick=options.quick,
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            waivers=[waiver.as_dict() for waiver in self.waivers],
        )

    def verdicts(self) -> list[RequirementVerdict]:
        """The verdict per requirement of the run's selection, in catalog order."""
        return requirement_verdicts(self.result, self.catalog, list(self.options.requirements))

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "requirement(*ids): requirement ids this test verifies")
        config.addinivalue_line("markers", "services(*names): services this test needs")
        config.addinivalue_line(
            "markers", "layer(name): scenarios, security, properties or stateful"
        )
        config.addinivalue_line(
            "markers",
            "spec_versions(*versions): API versions this test belongs to (default: every one)",
        )
        # the run's working directory is a per-target state directory (see cli.py); show test
        # ids relative to the suite rather than as ../../site-packages/conformance/suite/...
        config.cwd_relative_nodeid = lambda nodeid: nodeid  # type: ignore[method-assign]
        # the suite's modules read the options while pytest imports them (see options.py)
        activate(self.options)
        SPENT.reset()  # counts belong to one run
        config.stash[fixtures.OPTIONS] = self.options
        config.stash[fixtures.CLEANUP_NOTES] = self.result.notes  # the same list: filled in place
        config.pluginmanager.register(fixtures, "conformance-fixtures")

    # -- collection ---------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        # a version's suite is the tests of that version: another version's tests are not
        # part of this run at all (deselected, never counted as skipped or passed)
        other_version = [item for item in items if not _belongs_to(item, self.options.version)]
        items[:] = [item for item in items if _belongs_to(item, self.options.version)]
        problems = []
        for item in items:
            _name_the_operation(item)
            ids = requirement_ids(item)
            if not ids:
                problems.append(f"{item.nodeid}: no @pytest.mark.requirement(...)")
            for unknown in self.catalog.unknown(ids):
                problems.append(f"{item.nodeid}: requirement {unknown!r} is not in the catalog")
        unknown_selected = self.catalog.unknown(list(self.options.requirements))
        if unknown_selected:
            problems.append(f"--requirements names unknown ids: {', '.join(unknown_selected)}")
        if problems:
            raise pytest.UsageError("invalid requirement tags:\n  " + "\n  ".join(problems))
        selected: list[pytest.Item] = []
        deselected: list[pytest.Item] = list(other_version)
        for item in items:
            keep = self.options.covers(needed_services(item)) and self.options.selects(
                *requirement_ids(item)
            )
            (selected if keep else deselected).append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        # Generated data fails many logins from one client address, which a correct
        # implementation may throttle: scenarios that log users in run first.
        items[:] = sorted(selected, key=lambda item: LAYERS.index(layer(item)))

    # -- outcomes -----------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        TestLog.clear()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed and SPENT.throttled:
            # the target throttled the suite's own address: a setup problem of the run, never
            # a failure of this test's requirement; stop, and let the CLI exit 2 with the reason
            item.session.shouldstop = "the target throttled the suite's client address"
            return report
        if report.when == "call" or report.outcome != "passed":
            self._record(item, call, report)
        return report

    def _record(
        self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
    ) -> None:
        existing = next((t for t in self.result.tests if t.nodeid == item.nodeid), None)
        if existing is not None and existing.outcome == "failed":
            return  # a teardown problem after a failure adds nothing
        record = TestRecord(
            nodeid=item.nodeid,
            name=item.name,
            requirements=list(requirement_ids(item)),
            outcome=report.outcome,
            duration=round(report.duration, 3),
        )
        if report.skipped:
            longrepr = report.longrepr
            record.message = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
            record.message = record.message.removeprefix("Skipped: ")
        elif report.failed:
            failure = parse_failure(str(report.longrepr))
            record.details = failure.excerpt
            record.message = "" if report.when == "call" else f"error in {report.when}: "
            error = call.excinfo.value if call.excinfo else None
            if isinstance(error, ContractViolation):
                record.expected, record.actual = error.expected, error.actual
                record.message += error.expected
                if error.exchange is not None:
                    record.exchanges = [error.exchange.as_dict()]
            else:
                record.message += failure.message
            if not record.exchanges and not failure.curls and TestLog.exchanges:
                record.exchanges = [exchange.as_dict() for exchange in TestLog.exchanges[-2:]]
            record.curl = [e["curl"] for e in record.exchanges] or failure.curls
        blamed: tuple[str, ...] = item.stash.get(fixtures.BLAMED, ())
        if report.failed and blamed:
            record.requirements = list(blamed)
        if existing is not None:
            self.result.tests.remove(existing)
        self.result.tests.append(record)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.result.finished = datetime.now(UTC).isoformat(timespec="seconds")
        self.result.address_budget = {
            "spent": {"registrations": SPENT.registrations, "failed_logins": SPENT.failed_logins},
            "budget": {
                "registrations": RUN_BUDGET.registrations,
                "failed_logins": RUN_BUDGET.failed_logins,
            },
            "generated_cases_withheld": SPENT.withheld,
        }

    @property
    def throttled(self) -> str:
        """Why the run stopped early, if the target throttled the suite ("" otherwise)."""
        return SPENT.throttled


def _name_the_operation(item: pytest.Item) -> None:
    """Schemathesis names each operation's item ``test[POST /orders]`` but its node id lacks
    the label, so every operation would share one id in progress lines and reports."""
    label = getattr(item, "operation_label", None)
    if label and not item.nodeid.endswith("]"):
        item._id = type(item._id).parse(f"{item.nodeid}[{label}]")


LAYERS = ("scenarios", "security", "properties", "stateful")


def _belongs_to(item: pytest.Item, version: str) -> bool:
    marker = item.get_closest_marker("spec_versions")
    return marker is None or version in marker.args


def layer(item: pytest.Item) -> str:
    marker = item.get_closest_marker("layer")
    return str(marker.args[0]) if marker else "scenarios"


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for marker in item.iter_markers("requirement"):
        ids.extend(str(arg) for arg in marker.args)
    return tuple(dict.fromkeys(ids))


def needed_services(item: pytest.Item) -> tuple[str, ...]:
    names: list[str] = []
    for marker in item.iter_markers("services"):
        names.extend(str(arg) for arg in marker.args)
    return tuple(names)
