"""Phase 1: every OpenAPI document parses, its ``$ref``s resolve, and it is valid OpenAPI.

References are checked first, by us, because openapi-spec-validator stops with an
exception (not a validation error) on the first unresolvable one, and because we can point
at the exact line of the ``$ref``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_spec_validator.shortcuts import get_validator_cls
from openapi_spec_validator.validation.exceptions import ValidatorDetectError

from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.yaml_source import Pointer, SourceCache, YamlSource, YamlSourceError

__all__ = ["RULES", "check_openapi_validity", "iter_refs"]

_MAX_MESSAGE = 240  # validator messages can embed whole sub-documents

RULES: dict[str, str] = {
    "OAS001": "every OpenAPI document is a readable YAML mapping",
    "OAS002": "every $ref resolves (relative file + JSON pointer)",
    "OAS003": "every document is valid OpenAPI (openapi-spec-validator)",
}


def iter_refs(value: Any, pointer: Pointer = ()) -> Iterator[tuple[Pointer, str]]:
    """Every ``$ref`` string in a document with the pointer of the object holding it."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            yield pointer, ref
        for key, child in value.items():
            yield from iter_refs(child, (*pointer, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from iter_refs(child, (*pointer, index))


def _shorten(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else text
    return first_line if len(first_line) <= _MAX_MESSAGE else first_line[:_MAX_MESSAGE] + "…"


def _unresolved_refs(source: YamlSource, cache: SourceCache) -> list[Finding]:
    findings = []
    for pointer, ref in iter_refs(source.data):
        try:
            cache.follow(source, ref)
        except LookupError as reason:
            line, col = source.position((*pointer, "$ref"))
            findings.append(
                Finding(
                    source.path,
                    line,
                    col,
                    "OAS002",
                    f"$ref {ref!r} does not resolve: {reason}",
                    "point the $ref at an existing file (relative to this one) and an existing "
                    "#/json/pointer inside it",
                )
            )
    return findings


def _validator_findings(source: YamlSource) -> list[Finding]:
    try:
        validator_cls = get_validator_cls(source.data)
    except ValidatorDetectError:
        return [
            Finding(
                source.path,
                1,
                1,
                "OAS003",
                "not an OpenAPI document: no supported `openapi` version field",
                "start the document with `openapi: 3.1.0`",
            )
        ]
    # base_uri lets the validator resolve ``../common/*.yaml`` relative to this file.
    validator = validator_cls(source.data, base_uri=source.path.as_uri())
    findings = []
    try:
        for error in validator.iter_errors():
            findings.append(_from_validation_error(source, error))
    except Exception as exc:  # the validator raises (not yields) on some broken inputs
        if findings:
            return findings  # a follow-on of the schema errors already found
        findings.append(
            Finding(
                source.path,
                1,
                1,
                "OAS003",
                f"openapi-spec-validator could not finish: {_shorten(str(exc))}",
                "fix the reported construct; run `python -m openapi_spec_validator "
                f"{source.path}` for the full trace",
            )
        )
    return findings


def _from_validation_error(source: YamlSource, error: ValidationError) -> Finding:
    pointer = tuple(error.absolute_path)
    line, col = source.position(pointer)
    where = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)
    # The jsonschema-rs backend leaves ``validator`` unset; name the keyword when known.
    keyword = f" (keyword {error.validator!r})" if isinstance(error.validator, str) else ""
    return Finding(
        source.path,
        line,
        col,
        "OAS003",
        f"invalid OpenAPI at {where or '/'}: {_shorten(error.message)}",
        f"make this part conform to the OpenAPI {source.data.get('openapi')} schema{keyword}; "
        "see https://spec.openapis.org/oas/v3.1.0",
    )


def _check_document(path: Path, cache: SourceCache) -> list[Finding]:
    try:
        source = cache.load(path)
    except YamlSourceError as exc:
        return [
            Finding(
                path,
                exc.line,
                exc.col,
                "OAS001",
                exc.message,
                "fix the YAML syntax (indentation, quoting, a tab instead of spaces)",
            )
        ]
    if not isinstance(source.data, dict):
        return [
            Finding(
                path,
                1,
                1,
                "OAS001",
                "the document is not a YAML mapping",
                "an OpenAPI document is a mapping starting with `openapi: 3.1.0`",
            )
        ]
    unresolved = _unresolved_refs(source, cache)
    return unresolved or _validator_findings(source)


def check_openapi_validity(layout: SpecLayout, cache: SourceCache) -> list[Finding]:
    """Findings for the version's service documents and the shared common documents."""
    paths = [*layout.common_documents(), *layout.service_documents().values()]
    return [finding for path in paths for finding in _check_document(path, cache)]
