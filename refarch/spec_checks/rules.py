"""Every rule id the checker can report, with what it demands, for docs and ``--list-rules``."""

from __future__ import annotations

from refarch.spec_checks import (
    asyncapi_rules,
    asyncapi_validity,
    database_checks,
    openapi_rules,
    openapi_validity,
    requirements_rules,
    sql_lint,
)

__all__ = ["ALL_RULES"]

#: Rule id -> one-line statement, in report order (phase by phase).
ALL_RULES: dict[str, str] = {
    **openapi_validity.RULES,
    **openapi_rules.RULES,
    **requirements_rules.RULES,
    **asyncapi_validity.RULES,
    **asyncapi_rules.RULES,
    **sql_lint.RULES,
    **database_checks.RULES,
}
