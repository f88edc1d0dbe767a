"""The pytest plugin that turns the packaged suite into a conformance run.

It reads the run's options, refuses tests whose requirement ids are not in the catalog,
keeps only the tests of the selected services and requirements, provides the shared
fixtures (API client, admin, two ordinary users, cleanup), records every outcome with its
evidence, and writes the reports when the session ends.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance.actors import Actor, Cleanup, actor_for, register_user
from conformance.evidence import ApiClient, TestLog, register_secret
from conformance.expect import ContractViolation
from conformance.failure_text import parse_failure
from conformance.generated_auth import IDENTITIES
from conformance.options import DEFAULT_MAX_EXAMPLES, QUICK_MAX_EXAMPLES, RunOptions, activate
from conformance.results import RunResult, TestRecord
from conformance.waivers import load_waivers
from refarch.requirements import RequirementCatalog
from refarch.specs import SERVICES

ADMIN_EMAIL_ENV = "REFARCH_CONFORM_ADMIN_EMAIL"
ADMIN_PASSWORD_ENV = "REFARCH_CONFORM_ADMIN_PASSWORD"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption("--conform-base-url", help="target base URL, without /api/<version>")
    group.addoption("--conform-version", default="v1")
    group.addoption("--conform-services", default=",".join(SERVICES))
    group.addoption("--conform-requirements", default="", help="comma-separated requirement ids")
    group.addoption("--conform-max-examples", type=int, default=None)
    group.addoption("--conform-seed", type=int, default=None)
    group.addoption("--conform-quick", action="store_true")
    group.addoption("--conform-report-dir", default="conformance-report")
    group.addoption("--conform-junit-xml", default=None)


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): requirement ids this test verifies")
    config.addinivalue_line("markers", "services(*names): services this test needs")
    config.addinivalue_line("markers", "layer(name): scenarios, security, properties or stateful")
    # the run's working directory is a per-target state directory (see cli.py); show test
    # ids relative to the suite rather than as ../../site-packages/conformance/suite/...
    config.cwd_relative_nodeid = lambda nodeid: nodeid  # type: ignore[method-assign]
    base_url = config.getoption("--conform-base-url")
    if not base_url:
        return  # e.g. `pytest --help`: nothing to run against
    quick = bool(config.getoption("--conform-quick"))
    max_examples = config.getoption("--conform-max-examples") or (
        QUICK_MAX_EXAMPLES if quick else DEFAULT_MAX_EXAMPLES
    )
    report_dir = Path(config.getoption("--conform-report-dir"))
    options = RunOptions(
        base_url=base_url.rstrip("/"),
        admin_email=os.environ.get(ADMIN_EMAIL_ENV, ""),
        admin_password=os.environ.get(ADMIN_PASSWORD_ENV, ""),
        version=config.getoption("--conform-version"),
        services=_csv(config.getoption("--conform-services")),
        max_examples=max_examples,
        seed=config.getoption("--conform-seed"),
        quick=quick,
        requirements=_csv(config.getoption("--conform-requirements")),
    )
    activate(options)
    junit = config.getoption("--conform-junit-xml")
    config.pluginmanager.register(
        ConformanceRun(options, report_dir, Path(junit) if junit else None), "conformance-run"
    )


class ConformanceRun:
    """Per-session state: the catalog, the selection and the records of every test."""

    def __init__(self, options: RunOptions, report_dir: Path, junit_xml: Path | None) -> None:
        self.options = options
        self.report_dir = report_dir
        self.junit_xml = junit_xml
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

    # -- collection ---------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
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
        deselected: list[pytest.Item] = []
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
        if existing is not None:
            self.result.tests.remove(existing)
        self.result.tests.append(record)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from conformance.report import write_reports

        self.result.finished = datetime.now(UTC).isoformat(timespec="seconds")
        self.report_dir.mkdir(parents=True, exist_ok=True)
        write_reports(self.result, self.catalog, self.report_dir, self.junit_xml, self.options)

    # -- fixtures -------------------------------------------------------------------------

    @pytest.fixture(scope="session")
    def run_options(self) -> RunOptions:
        return self.options

    @pytest.fixture(scope="session")
    def api(self) -> Iterator[ApiClient]:
        with ApiClient(base_url=self.options.api_url, timeout=20.0) as client:
            yield client

    @pytest.fixture(scope="session")
    def admin(self, api: ApiClient) -> Actor:
        register_secret(self.options.admin_password, "$REFARCH_CONFORM_ADMIN_PASSWORD")
        actor = actor_for(api, self.options.admin_email, self.options.admin_password)
        register_secret(actor.access_token, "$ADMIN_TOKEN")
        register_secret(actor.refresh_token, "$ADMIN_REFRESH_TOKEN")
        return actor

    @pytest.fixture(scope="session")
    def cleanup(self, api: ApiClient, admin: Actor) -> Iterator[Cleanup]:
        registry = Cleanup()
        yield registry
        self.result.notes += registry.run(api, admin.headers)

    @pytest.fixture(scope="session")
    def alice(self, api: ApiClient, cleanup: Cleanup) -> Actor:
        return register_user(api, cleanup, role="alice")

    @pytest.fixture(scope="session")
    def bob(self, api: ApiClient, cleanup: Cleanup) -> Actor:
        return register_user(api, cleanup, role="bob")

    @pytest.fixture(scope="session")
    def generated_identities(self, api: ApiClient, admin: Actor, cleanup: Cleanup) -> None:
        """Who Schemathesis-generated requests act as (see conformance.generated_auth)."""
        IDENTITIES.admin = admin
        IDENTITIES.user = register_user(api, cleanup, role="generated")

    @pytest.fixture
    def new_user(self, api: ApiClient, cleanup: Cleanup) -> Any:
        """A factory for users a test may change (log out, throttle, delete)."""

        def make(**fields: Any) -> Actor:
            return register_user(api, cleanup, **fields)

        return make


def _name_the_operation(item: pytest.Item) -> None:
    """Schemathesis names each operation's item ``test[POST /orders]`` but its node id lacks
    the label, so every operation would share one id in progress lines and reports."""
    label = getattr(item, "operation_label", None)
    if label and not item.nodeid.endswith("]"):
        item._id = type(item._id).parse(f"{item.nodeid}[{label}]")


LAYERS = ("scenarios", "security", "properties", "stateful")


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
