"""Phase 4: migration files are named ``V###__name.sql`` and lint clean with sqlfluff.

The committed ``.sqlfluff`` governs: the nearest one at or above the specs directory, else
the one in the refarch checkout, so tests on a copied specs tree lint with the same rules.
"""

from __future__ import annotations

import re
from pathlib import Path

from refarch.migrate import MigrationError, dialect_of, discover
from refarch.spec_checks.findings import CheckAborted, Finding, display_path
from refarch.spec_checks.layout import SpecLayout

__all__ = ["RULES", "check_sql", "find_sqlfluff_config", "path_in_migration_error"]

_CHECKOUT_CONFIG = Path(__file__).resolve().parents[2] / ".sqlfluff"
_MAX_MESSAGE = 240  # parse errors quote the whole unparsable section
_RULES_URL = "https://docs.sqlfluff.com/en/stable/reference/rules.html"
_PATH_PREFIX = re.compile(r"^(?P<path>/?[^:\s]+\.sql)(?::|\s)")

RULES: dict[str, str] = {
    "SQL001": "migrations are sql/<service>/V###__name.sql, gap-free per service",
    "SQL002": "every migration parses as PostgreSQL (sqlfluff)",
    "SQL-<code>": "every migration passes the sqlfluff rules enabled in .sqlfluff",
}


def find_sqlfluff_config(specs_dir: Path) -> Path:
    for folder in (specs_dir.resolve(), *specs_dir.resolve().parents):
        if (folder / ".sqlfluff").is_file():
            return folder / ".sqlfluff"
    if _CHECKOUT_CONFIG.is_file():
        return _CHECKOUT_CONFIG
    raise CheckAborted(f"no .sqlfluff config found at or above {specs_dir} (needed to lint SQL)")


def path_in_migration_error(message: str, fallback: Path) -> Path:
    """refarch.migrate messages start with the offending file's path when there is one."""
    match = _PATH_PREFIX.match(message)
    return Path(match["path"]) if match else fallback


def _naming_findings(layout: SpecLayout) -> list[Finding]:
    if not layout.sql_dir.is_dir():
        return [
            Finding(
                layout.sql_dir,
                0,
                0,
                "SQL001",
                "there is no sql/ directory",
                "add migrations as sql/<service>/V001__init.sql",
            )
        ]
    try:
        discover(layout.root, dialect=None)
    except MigrationError as exc:
        message = str(exc)
        return [
            Finding(
                path_in_migration_error(message, layout.sql_dir),
                0,
                0,
                "SQL001",
                message,
                "name migrations V001__short_name.sql, V002__..., one gap-free sequence per service",
            )
        ]
    return []


def _lint_findings(layout: SpecLayout) -> list[Finding]:
    # Imported here: sqlfluff takes ~0.5 s to import, and --help should stay instant.
    from sqlfluff.core import FluffConfig, Linter

    config_path = find_sqlfluff_config(layout.root)
    config_text = config_path.read_text(encoding="utf-8")
    linters: dict[str, Linter] = {}
    findings = []
    for path in layout.sql_files():
        # A folder in another dialect (DuckDB for analytics) keeps every other rule.
        dialect = dialect_of(path.parent)
        if dialect not in linters:
            config = FluffConfig.from_string(config_text, overrides={"dialect": dialect})
            linters[dialect] = Linter(config=config)
        linter = linters[dialect]
        linted = linter.lint_string(path.read_text(encoding="utf-8"), fname=str(path))
        for violation in linted.get_violations():
            code = violation.rule_code()
            message = " ".join(violation.desc().split())
            if len(message) > _MAX_MESSAGE:
                message = message[:_MAX_MESSAGE] + "…"
            if code in ("PRS", "LXR", "TMP"):
                rule = "SQL002"
                hint = "PostgreSQL syntax sqlfluff cannot parse: fix the statement (missing comma, parenthesis or keyword)"
            else:
                rule = f"SQL-{code}"
                hint = (
                    f"`sqlfluff fix --config {display_path(config_path)} {display_path(path)}` "
                    f"fixes most; rule: {_RULES_URL}#rule-{code}"
                )
            findings.append(
                Finding(path, violation.line_no or 1, violation.line_pos or 1, rule, message, hint)
            )
    return findings


def check_sql(layout: SpecLayout) -> list[Finding]:
    return _naming_findings(layout) + _lint_findings(layout)
