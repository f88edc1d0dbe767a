"""``refarch specs check``: every spec check, one exit code (0 clean, 1 problems, 2 cannot run)."""

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
