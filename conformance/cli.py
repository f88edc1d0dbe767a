"""``refarch conform``: run the conformance suite against an implementation by base URL.

Exit codes: 0 conformant, 1 not conformant, 2 could not run (unreachable target, bad
credentials, unknown service or version, or a broken suite) with a message saying why.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import click

from conformance.options import DEFAULT_MAX_EXAMPLES, QUICK_MAX_EXAMPLES, RunOptions
from conformance.plugin import ADMIN_EMAIL_ENV, ADMIN_PASSWORD_ENV
from conformance.preflight import PreflightError, preflight
from conformance.progress import PYTEST_ARGS as PROGRESS_ARGS
from conformance.progress import ConformanceProgress
from refarch.specs import SERVICES

__all__ = ["conform"]

EXIT_CONFORMANT, EXIT_NOT_CONFORMANT, EXIT_COULD_NOT_RUN = 0, 1, 2
#: the packaged tests; beside this module whether installed or in a checkout
SUITE_DIR = Path(__file__).resolve().parent / "suite"


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    """Schemathesis and Hypothesis write state into the working directory (FACTS.md):
    run inside a directory of this target's own, so one target's failures are never
    replayed against another."""
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


def _failed_requirements(report: Path) -> list[str]:
    """One line per failed requirement, so a CI log says what broke before anyone opens files."""
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [
        f"{entry['id']} {entry['title']} ({entry['reason']})"
        for entry in document.get("requirements", [])
        if entry.get("status") == "failed"
    ]


def pytest_arguments(options: RunOptions, report_dir: Path, junit_xml: Path | None) -> list[str]:
    suite = SUITE_DIR
    args = [
        str(suite),
        "-c", str(suite / "pytest.toml"),
        "--rootdir", str(suite),
        # Only the plugins the suite needs: whatever else the environment installed (Locust's
        # would patch ssl next to Schemathesis, FACTS.md) stays out, and start-up stays fast.
        "--disable-plugin-autoload",
        "-p", "_hypothesis_pytestplugin",
        "-p", "schemathesis.pytest.plugin",
        "-p", "conformance.plugin",
        "-p", "no:cacheprovider",
        # the suite reports through expect(); rewriting every plugin module cost ~4 s a run
        "--assert=plain",
        "-v",
        "--tb=short",
        "--conform-base-url", options.base_url,
        "--conform-version", options.version,
        "--conform-services", ",".join(options.services),
        "--conform-max-examples", str(options.max_examples),
        "--conform-report-dir", str(report_dir),
    ]  # fmt: skip
    if options.quick:
        args.append("--conform-quick")
    if options.seed is not None:
        args += ["--conform-seed", str(options.seed)]
    if options.requirements:
        args += ["--conform-requirements", ",".join(options.requirements)]
    if junit_xml is not None:
        args += ["--conform-junit-xml", str(junit_xml)]
    return args


@click.command()
@click.option(
    "--base-url",
    required=True,
    envvar="REFARCH_CONFORM_BASE_URL",
    help="The implementation's base URL, e.g. https://shop.example (without /api/v1).",
)
@click.option("--spec-version", "version", default="v1", show_default=True)
@click.option(
    "--services",
    default=",".join(SERVICES),
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
    )
    try:
        preflight(options)
    except PreflightError as error:
        click.echo(f"refarch conform: cannot run: {error}", err=True)
        raise SystemExit(EXIT_COULD_NOT_RUN) from None

    report_dir = report_dir.resolve()
    junit_xml = junit_xml.resolve() if junit_xml else None
    args = pytest_arguments(options, report_dir, junit_xml)
    if keyword:
        args += ["-k", keyword]
    # credentials travel by environment, never on a command line another process could read
    os.environ[ADMIN_EMAIL_ENV] = options.admin_email
    os.environ[ADMIN_PASSWORD_ENV] = options.admin_password
    with _working_directory(_state_dir(report_dir, options.base_url)):
        progress = [] if quiet else [ConformanceProgress()]
        code = pytest.main([*args, *PROGRESS_ARGS] if progress else args, plugins=progress)
    summary = report_dir / "conformance.md"
    if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        verdict = "conformant" if code == pytest.ExitCode.OK else "NOT conformant"
        click.echo(f"\nrefarch conform: {verdict}.")
        for line in _failed_requirements(report_dir / "conformance.json"):
            click.echo(f"  FAIL {line}")
        click.echo(f"Report: {summary} (HTML, JSON and JUnit XML beside it)")
        raise SystemExit(EXIT_CONFORMANT if code == pytest.ExitCode.OK else EXIT_NOT_CONFORMANT)
    reason = (
        "no test matched the selection"
        if code == pytest.ExitCode.NO_TESTS_COLLECTED
        else f"pytest exit code {int(code)}"
    )
    click.echo(f"refarch conform: cannot run: {reason}", err=True)
    raise SystemExit(EXIT_COULD_NOT_RUN)
