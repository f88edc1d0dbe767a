"""``refarch specs check`` (every spec check, one exit code: 0 clean, 1 problems, 2 cannot
run), ``refarch specs rules`` and ``refarch specs bundle`` (single-file specs for clients)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from refarch.spec_checks.findings import CheckAborted
from refarch.spec_checks.report import JsonReport, TextReport
from refarch.spec_checks.runner import CheckOptions, run_checks

__all__ = ["specs"]

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


@click.group(name="specs")
def specs() -> None:
    """Check the OpenAPI, SQL and requirements specs."""


@specs.command("check")
@click.option("--version", "version", default="v1", show_default=True, help="Major API version.")
@click.option(
    "--specs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Specs to check (default: REFARCH_SPECS_DIR, else the checkout's specs/).",
)
@click.option("--no-database", is_flag=True, help="Skip applying the migrations to PostgreSQL.")
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default=None,
    help="Server to create (and drop) a throwaway database on [env DATABASE_URL]; "
    "default: a temporary embedded PostgreSQL.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints one document on stdout (progress on stderr).",
)
def check(
    version: str,
    specs_dir: Path | None,
    no_database: bool,
    database_url: str | None,
    output_format: str,
) -> None:
    """Check OpenAPI documents, project rules, requirements and SQL migrations.

    Each problem is printed as `path:line:col: RULE message` with a fix hint.
    Exit status: 0 clean, 1 problems found, 2 the checks could not run.
    """
    if specs_dir is None:
        from refarch.specs import specs_root

        specs_dir = specs_root()
    options = CheckOptions(
        specs_dir=specs_dir, version=version, database=not no_database, server_url=database_url
    )
    report: TextReport | JsonReport = (
        JsonReport(sys.stdout, sys.stderr, options)
        if output_format == "json"
        else TextReport(sys.stdout)
    )
    try:
        results = run_checks(options, on_start=report.start, on_done=report.done)
    except CheckAborted as exc:
        click.echo(f"refarch specs check: cannot run: {exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    report.finish(results)
    sys.exit(EXIT_PROBLEMS if any(r.findings for r in results) else EXIT_CLEAN)


@specs.command("rules")
def list_rules() -> None:
    """List every rule id `refarch specs check` can report, with what it demands."""
    from refarch.spec_checks.rules import ALL_RULES

    width = max(len(rule) for rule in ALL_RULES)
    for rule, statement in ALL_RULES.items():
        click.echo(f"{rule:<{width}}  {statement}")


@specs.command("bundle")
@click.option("--version", "version", default="v1", show_default=True, help="Major API version.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder to write <service>/<version>.yaml into (default: the specs' bundles/ folder, "
    "i.e. specs/bundles in a checkout).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if a bundle in the specs' bundles/ folder (or --out) is stale.",
)
@click.option(
    "--specs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Specs to bundle (default: REFARCH_SPECS_DIR, else the checkout's specs/).",
)
def bundle(version: str, out_dir: Path | None, check: bool, specs_dir: Path | None) -> None:
    """Write one self-contained OpenAPI file per service, for client generators.

    Shared components referenced from openapi/common/ become components of each bundle.
    Built with the pinned Redocly CLI; where it is not installed (an installed wheel), the
    bundles shipped with refarch, built from the same specs, are copied instead.
    Exit status: 0 written (or up to date), 1 stale bundles (--check), 2 cannot run.
    """
    from refarch.bundle import (
        BUNDLES_DIR,
        BundleError,
        bundle_specs,
        copy_shipped,
        find_redocly,
        stale_bundles,
    )

    if specs_dir is None:
        from refarch.specs import specs_root

        specs_dir = specs_root()
    shipped = specs_dir / BUNDLES_DIR
    target = out_dir or shipped
    redocly = find_redocly(specs_dir)
    try:
        if check:
            if redocly is None:
                raise BundleError(
                    "cannot check the bundles without the Redocly CLI: run `make setup` (npm ci)"
                )
            stale = stale_bundles(specs_dir, target, version=version, redocly=redocly)
            for item in stale:
                click.echo(f"{item.path}: {item.reason}", err=True)
            if stale:
                click.echo("fix: run `make bundle` and commit the result", err=True)
                sys.exit(EXIT_PROBLEMS)
            click.echo(f"bundles in {target} are up to date")
            return
        if redocly is not None:
            written = bundle_specs(specs_dir, target, version=version, redocly=redocly)
        elif target.resolve() == shipped.resolve():
            raise BundleError(
                "the Redocly CLI is not installed, so the bundles cannot be rebuilt; the ones "
                f"shipped with refarch are in {shipped}: pass --out DIR to copy them"
            )
        else:
            written = copy_shipped(shipped, target, version=version)
            click.echo(
                f"Redocly is not installed: copied the bundles shipped with refarch from {shipped}",
                err=True,
            )
    except BundleError as exc:
        click.echo(f"refarch specs bundle: cannot run: {exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    for path in written:
        click.echo(str(path))


def _attach_diff() -> None:
    # `specs diff` lives in its own package (refarch.spec_diff); it imports only click and yaml
    from refarch.spec_diff.cli import diff

    specs.add_command(diff)


_attach_diff()
