"""Project rules on which status codes an operation declares, derived from what it takes.

Conformance testing (Schemathesis) fails on any status code the spec does not document, so
every status the contract can produce for an operation must be declared: these rules
derive that set from the operation's security, role, body and parameters.
"""

from __future__ import annotations

from collections.abc import Iterator

from refarch.spec_checks.findings import Finding
from refarch.spec_checks.openapi_model import OperationSite
from refarch.spec_checks.yaml_source import SourceCache

__all__ = ["KNOWN_ROLES", "RULES", "access_rules", "status_coverage_rules"]

KNOWN_ROLES = ("admin",)
_SHARED = "../common/problem.yaml#/components/responses/"

RULES: dict[str, str] = {
    "OAS109": "secured operations declare 401",
    "OAS110": "admin-only operations (x-required-role: admin) declare 403",
    "OAS111": "only operations with x-required-role declare 403",
    "OAS116": "x-required-role names a known role on a secured operation",
    "OAS118": "operations with a request body declare 400, 413, 415 and 422",
    "OAS119": "every operation declares 500 and 503",
    "OAS120": "operations with path, query or header parameters declare 422",
    "OAS121": "operations with path parameters declare 404",
}


def _codes(op: OperationSite) -> set[str]:
    responses = op.spec.get("responses")
    return {str(code) for code in responses} if isinstance(responses, dict) else set()


def access_rules(op: OperationSite) -> Iterator[Finding]:
    codes = _codes(op)
    role = op.spec.get("x-required-role")
    if op.secured and "401" not in codes:
        yield op.finding(
            ("responses",),
            "OAS109",
            "secured operation does not declare 401",
            f"add `'401': {{$ref: '{_SHARED}Unauthorized'}}` "
            "(or `security: []` if the operation is public)",
        )
    if role is not None and (role not in KNOWN_ROLES or not op.secured):
        problem = (
            f"x-required-role names an unknown role {role!r}"
            if role not in KNOWN_ROLES
            else "x-required-role on a public operation (security: [])"
        )
        yield op.finding(
            ("x-required-role",),
            "OAS116",
            problem,
            f"roles are {', '.join(KNOWN_ROLES)}; role-restricted operations need security",
        )
    if role == "admin" and "403" not in codes:
        yield op.finding(
            ("responses",),
            "OAS110",
            "admin-only operation does not declare 403",
            f"add `'403': {{$ref: '{_SHARED}Forbidden'}}`",
        )
    if role is None and "403" in codes:
        # In this contract 403 means exactly "authenticated, but the role does not allow it";
        # without the marker no checker or conformance test can tell who is refused.
        yield op.finding(
            ("responses", "403"),
            "OAS111",
            "declares 403 but no x-required-role",
            "add `x-required-role: admin` if the operation is admin-only, else drop the 403",
        )


def _missing(op: OperationSite, wanted: tuple[str, ...]) -> list[str]:
    codes = _codes(op)
    return [code for code in wanted if code not in codes]


def status_coverage_rules(op: OperationSite, cache: SourceCache) -> Iterator[Finding]:
    locations = {
        str(param.value.get("in"))
        for param in op.parameters(cache)
        if isinstance(param.value, dict)
    }
    demands: list[tuple[str, tuple[str, ...], str]] = [
        ("OAS119", ("500", "503"), "every operation can fail unexpectedly or lose its database"),
    ]
    if "requestBody" in op.spec:
        demands.append(
            (
                "OAS118",
                ("400", "413", "415", "422"),
                "a body can be malformed, too large, of another media type or invalid",
            )
        )
    if locations & {"path", "query", "header"}:
        demands.append(("OAS120", ("422",), "its parameters can be invalid"))
    if "path" in locations:
        demands.append(("OAS121", ("404",), "the resource in its path may not exist"))
    for rule, wanted, why in demands:
        missing = _missing(op, wanted)
        if missing:
            yield op.finding(
                ("responses",),
                rule,
                f"does not declare {', '.join(missing)} ({why})",
                "reference the shared responses in common/problem.yaml, e.g. "
                f"`'{missing[0]}': {{$ref: '{_SHARED}...'}}`",
            )
