"""Run the check phases in order and hand each result to a reporter as it completes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from refarch.spec_checks.asyncapi_rules import check_asyncapi_rules
from refarch.spec_checks.asyncapi_validity import (
    PARSER_PACKAGE,
    check_asyncapi_validity,
    find_parser_modules,
)
from refarch.spec_checks.database_checks import check_database
from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.openapi_rules import check_openapi_rules
from refarch.spec_checks.openapi_validity import check_openapi_validity
from refarch.spec_checks.requirements_rules import check_requirements
from refarch.spec_checks.sql_lint import check_sql
from refarch.spec_checks.yaml_source import SourceCache

__all__ = ["CheckOptions", "Phase", "PhaseResult", "plan", "run_checks"]


@dataclass(frozen=True)
class CheckOptions:
    specs_dir: Path
    version: str = "v1"
    database: bool = True
    #: An existing server to create the throwaway database on; None = temporary embedded one.
    server_url: str | None = None
    #: Source of the implementation whose published event types must all be declared (ASY006);
    #: None = the checkout's reference_impl/ next to the specs, when there is one.
    implementation_dir: Path | None = None


@dataclass(frozen=True)
class Phase:
    title: str
    run: Callable[[], list[Finding]] | None
    skipped_because: str = ""


@dataclass(frozen=True)
class PhaseResult:
    title: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    skipped_because: str = ""


def plan(options: CheckOptions) -> list[Phase]:
    """The phases for these options; raises ``CheckAborted`` when nothing can be checked."""
    layout = SpecLayout.open(options.specs_dir, options.version)
    cache = SourceCache()  # shared: each YAML file is parsed once per run
    return [
        Phase(
            "OpenAPI documents (parse, $ref, openapi-spec-validator)",
            lambda: check_openapi_validity(layout, cache),
        ),
        Phase("Project API rules (OAS1xx)", lambda: check_openapi_rules(layout, cache)),
        Phase(
            f"Requirements catalog requirements/{options.version}.yaml (REQ0xx)",
            lambda: check_requirements(layout, cache),
        ),
        *_event_phases(layout, cache, options),
        Phase("SQL migrations: naming and sqlfluff", lambda: check_sql(layout)),
        Phase(
            "Database: apply migrations twice, schema and foreign key rules",
            (lambda: check_database(layout, options.server_url)) if options.database else None,
            "" if options.database else "--no-database",
        ),
    ]


def _event_phases(layout: SpecLayout, cache: SourceCache, options: CheckOptions) -> list[Phase]:
    """The AsyncAPI phases; none when the specs declare no events (an API-only specs tree)."""
    document = layout.asyncapi_path
    where = f"asyncapi/{options.version}.yaml"
    if not document.is_file():
        return []
    modules = find_parser_modules(layout.root)
    implementation = options.implementation_dir
    if implementation is None and (layout.root.parent / "reference_impl").is_dir():
        implementation = layout.root.parent / "reference_impl"
    return [
        Phase(
            f"AsyncAPI document {where} (pinned {PARSER_PACKAGE})",
            (lambda: check_asyncapi_validity(document, modules)) if modules else None,
            "" if modules else f"{PARSER_PACKAGE} is not installed (run `make setup`)",
        ),
        Phase(
            "Project event rules (ASY0xx)",
            lambda: check_asyncapi_rules(document, layout, cache, implementation),
        ),
    ]


def run_checks(
    options: CheckOptions,
    *,
    on_start: Callable[[int, int, Phase], None] = lambda *_: None,
    on_done: Callable[[int, int, PhaseResult], None] = lambda *_: None,
) -> list[PhaseResult]:
    phases = plan(options)
    results = []
    for number, phase in enumerate(phases, start=1):
        on_start(number, len(phases), phase)
        if phase.run is None:
            result = PhaseResult(phase.title, skipped_because=phase.skipped_because)
        else:
            started = time.perf_counter()
            findings = sorted(dict.fromkeys(phase.run()))
            result = PhaseResult(phase.title, findings, time.perf_counter() - started)
        results.append(result)
        on_done(number, len(phases), result)
    return results
