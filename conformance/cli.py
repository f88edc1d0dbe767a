"""``refarch conform``: run the conformance suite against an implementation by base URL.

Exit codes: 0 conformant, 1 not conformant, 2 could not run (unreachable target, bad
credentials, unknown service or version, or a broken suite) with a message saying why.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import click

from refarch.conformance.options import (
    ADMIN_EMAIL_ENV,
    ADMIN_PASSWORD_ENV,
    DEFAULT_MAX_EXAMPLES,
    QUICK_MAX_EXAMPLES,
    RunOptions,
)
from refarch.conformance.preflight import PreflightError, preflight

__all__ = ["conform"]

EXIT_CONFORMANT, EXIT_NOT_CONFORMANT, EXIT_COULD_NOT_RUN = 0, 1, 2
#: the packaged tests; beside this module whether installed or in a checkout
SUITE_DIR = Path(__file__).resolve().parent / "suite"


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    """Schemathesis and Hypothesis write state (``.hypothesis/``, ``.schemathesis/``) into
    the working directory: run inside a directory of this target's own, so one target's
    failures are never replayed against another."""
    path.mkdir(parents=True, exist_ok=True)
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _state_dir(report_dir: Path, base_url: str) -> Path:
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:12]
    return report_dir / ".state" / digest


def pytest_arguments(keyword: str = "") -> list[str]:
    """The suite's pytest command line; the run's options travel in the plugin object."""
    suite = SUITE_DIR
    args = [
        str(suite),
        "-c", str(suite / "pytest.toml"),
        "--rootdir", str(suite),
        # Only the plugins the suite needs: whatever else the environment installed stays out
        # (Locust's would import gevent, which patches ssl too late next to Schemathesis and
        # crashes), and start-up stays fast.
        "--disable-plugin-autoload",
        "-p", "_hypothesis_pytestplugin",
        "-p", "schemathesis.pytest.plugin",
        "-p", "no:cacheprovider",
        # the suite reports through expect(); rewriting every plugin module cost ~4 s a run
        "--assert=plain",
        "-v",
        "--tb=short",
    ]  # fmt: skip
    if keyword:
        args += ["-k", keyword]
    return args


@click.command()
@click.option(
    "--base-url",
    required=True,
    envvar="REFARCH_CONFORM_BASE_URL",
    help="The implementation's base URL, e.g. https://shop.example (without /api/v1).",
)
# defaults come from RunOptions, so they are written once
@click.option("--spec-version", "version", default=RunOptions.version, show_default=True)
@click.option(
    "--services",
    default=",".join(RunOptions.services),
    show_default=True,
    help="Comma-separated services to check; tests needing others are left out.",
)
@click.option(
    "--admin-email", envvar=ADMIN_EMAIL_ENV, help=f"Admin account (or ${ADMIN_EMAIL_ENV})."
)
@click.option(
    "--admin-password", envvar=ADMIN_PASSWORD_ENV, help=f"Its password (or ${ADMIN_PASSWORD_ENV})."
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=None,
    help=f"Generated examples per operation and mode [default: {DEFAULT_MAX_EXAMPLES}, quick {QUICK_MAX_EXAMPLES}].",
)
@click.option("--seed", type=int, default=None, help="Seed for generated data, to replay a run.")
@click.option(
    "--quick",
    is_flag=True,
    help="A smoke run: few examples, no coverage phase, sampled token checks.",
)
@click.option(
    "--requirements",
    default="",
    help="Only tests tagged with these requirement ids (comma-separated).",
)
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path),
    default=Path("conformance-report"),
    show_default=True,
)
@click.option(
    "--junit-xml",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write JUnit XML [default: REPORT_DIR/junit.xml].",
)
@click.option("-k", "keyword", default="", help="pytest -k expression to narrow the tests further.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No live progress per layer: pytest's own output."
)
@click.option(
    "--broker-url",
    envvar="REFARCH_CONFORM_BROKER_URL",
    default=None,
    help="The implementation's NATS server (nats://host:4222) for the event tests; without "
    "it they are reported as skipped.",
)
@click.option(
    "--subject-prefix",
    default=RunOptions.subject_prefix,
    show_default=True,
    help="Prefix of the event subjects (<prefix>.<type>).",
)
@click.option(
    "--event-timeout",
    type=click.FloatRange(min=0.1, max=300),
    default=RunOptions.event_timeout,
    show_default=True,
    help="Seconds an event may take to appear after the API answered.",
)
def conform(
    base_url: str,
    version: str,
    services: str,
    admin_email: str | None,
    admin_password: str | None,
    max_examples: int | None,
    seed: int | None,
    quick: bool,
    requirements: str,
    report_dir: Path,
    junit_xml: Path | None,
    keyword: str,
    quiet: bool,
    broker_url: str | None,
    subject_prefix: str,
    event_timeout: float,
) -> None:
    """Run the conformance suite against the implementation at BASE URL."""
    import pytest

    options = RunOptions(
        base_url=base_url.rstrip("/"),
        admin_email=admin_email or "",
        admin_password=admin_password or "",
        version=version,
        services=_csv(services),
        max_examples=max_examples or (QUICK_MAX_EXAMPLES if quick else DEFAULT_MAX_EXAMPLES),
        seed=seed,
        quick=quick,
        requirements=_csv(requirements),
        broker_url=broker_url or None,
        subject_prefix=subject_prefix,
        event_timeout=event_timeout,
    )
    try:
        preflight(options)
    except PreflightError as error:
        click.echo(f"refarch conform: cannot run: {error}", err=True)
        raise SystemExit(EXIT_COULD_NOT_RUN) from None
    if options.broker_url:
        # nats-py only once a run asks for the event tests
        from refarch.conformance.events.log import BrokerUnusable
        from refarch.conformance.events.preflight import check_broker

        try:
            check_broker(options.broker_url, options.subject_prefix)
        except BrokerUnusable as error:
            click.echo(f"refarch conform: cannot run: {error}", err=True)
            raise SystemExit(EXIT_COULD_NOT_RUN) from None

    # these import pytest and Schemathesis: only once a run starts
    from refarch.conformance.plugin import ConformanceRun
    from refarch.conformance.progress import PYTEST_ARGS as PROGRESS_ARGS
    from refarch.conformance.progress import ConformanceProgress
    from refarch.conformance.report import write_reports

    report_dir = report_dir.resolve()
    junit_xml = junit_xml.resolve() if junit_xml else None
    try:
        run = ConformanceRun(options)
    except ValueError as error:  # the packaged waivers do not pass review
        click.echo(f"refarch conform: cannot run: {error}", err=True)
        raise SystemExit(EXIT_COULD_NOT_RUN) from None
    with _working_directory(_state_dir(report_dir, options.base_url)):
        args = pytest_arguments(keyword)
        # live progress per layer replaces pytest's dots; --quiet keeps pytest's own output
        plugins: list[object] = [run] if quiet else [run, ConformanceProgress()]
        code = pytest.main(args if quiet else [*args, *PROGRESS_ARGS], plugins=plugins)
    # the session ran (even if it selected nothing, or stopped on a bad tag): report it
    paths = (
        write_reports(run.result, run.catalog, report_dir, junit_xml, options)
        if run.result.finished
        else None
    )
    if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        verdict = "conformant" if code == pytest.ExitCode.OK else "NOT conformant"
        click.echo(f"\nrefarch conform: {verdict}.")
        # one line per failed requirement: a CI log says what broke before anyone opens files
        for failed in (v for v in run.verdicts() if v.status == "failed"):
            click.echo(f"  FAIL {failed.id} {failed.title} ({failed.reason})")
        if paths is not None:
            click.echo(f"Report: {paths.markdown} (HTML, JSON and JUnit XML beside it)")
        raise SystemExit(EXIT_CONFORMANT if code == pytest.ExitCode.OK else EXIT_NOT_CONFORMANT)
    reason = (
        "no test matched the selection"
        if code == pytest.ExitCode.NO_TESTS_COLLECTED
        else f"pytest exit code {int(code)}"
    )
    click.echo(f"refarch conform: cannot run: {reason}", err=True)
    raise SystemExit(EXIT_COULD_NOT_RUN)
