"""Every rule of the catalog fires on a small pair built for it, and reports nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from refarch.spec_diff import RULES, Severity
from tests.spec_diff.documents import (
    Doc,
    base_document,
    edited,
    item,
    order,
    put,
    query,
    request,
    rule_ids,
)

Edit = Callable[[Doc], Any]


def _get(doc: Doc) -> Doc:
    operation: Doc = doc["paths"]["/orders/{id}"]["get"]
    return operation


def _set(target: Callable[[Doc], Doc], key: str, value: Any) -> Edit:
    return lambda doc: target(doc).__setitem__(key, value)


def _prop(target: Callable[[Doc], Doc], name: str) -> Callable[[Doc], Doc]:
    return lambda doc: target(doc)["properties"][name]


def _xml(target: Callable[[Doc], Doc]) -> Edit:
    """Offer the same schema as XML too."""

    def edit(doc: Doc) -> None:
        content = target(doc)["content"]
        content["application/xml"] = content["application/json"]

    return edit


_BODY: Callable[[Doc], Doc] = lambda doc: put(doc)["requestBody"]  # noqa: E731
_OK: Callable[[Doc], Doc] = lambda doc: put(doc)["responses"]["200"]  # noqa: E731
_NEW_VARIANT = {"type": "object", "properties": {"paypal": {"type": "string"}}}

#: case name -> (edit of the old document or None, edit of the new one, exactly the ids
#: expected); both edits start from the base document
CASES: dict[str, tuple[Edit | None, Edit, set[str]]] = {
    "operation removed": (
        None,
        lambda d: d["paths"]["/orders/{id}"].pop("get"),
        {"operation-removed"},
    ),
    "operation added": (
        None,
        lambda d: d["paths"]["/orders/{id}"].__setitem__(
            "delete", {"responses": {"204": {"description": "gone"}}}
        ),
        {"operation-added"},
    ),
    "path parameter renamed is the same operation": (
        None,
        lambda d: d["paths"].__setitem__("/orders/{order_id}", d["paths"].pop("/orders/{id}")),
        set(),
    ),
    "operationId changed": (
        None,
        _set(_get, "operationId", "fetchOrder"),
        {"operation-id-changed"},
    ),
    "operation deprecated": (None, _set(_get, "deprecated", True), {"operation-deprecated"}),
    "required parameter added": (
        None,
        lambda d: put(d)["parameters"].append(
            {"name": "store", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        {"parameter-added-required"},
    ),
    "optional parameter added": (
        None,
        lambda d: put(d)["parameters"].append(
            {"name": "expand", "in": "query", "schema": {"type": "string"}}
        ),
        {"parameter-added-optional"},
    ),
    "parameter removed": (
        None,
        lambda d: put(d)["parameters"].remove(query(d, "dry_run")),
        {"parameter-removed"},
    ),
    "parameter became required": (
        None,
        lambda d: query(d, "dry_run").__setitem__("required", True),
        {"parameter-became-required"},
    ),
    "parameter became optional": (
        None,
        lambda d: query(d, "Trace").__setitem__("required", False),
        {"parameter-became-optional"},
    ),
    "header parameter names are case-insensitive": (
        None,
        lambda d: query(d, "Trace").__setitem__("name", "trace"),
        set(),
    ),
    "parameter deprecated": (
        None,
        lambda d: query(d, "dry_run").__setitem__("deprecated", True),
        {"parameter-deprecated"},
    ),
    "parameter type changed": (
        None,
        lambda d: query(d, "dry_run").__setitem__("schema", {"type": "string"}),
        {"request-type-changed"},
    ),
    "required body added": (
        None,
        _set(
            _get,
            "requestBody",
            {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        ),
        {"request-body-added-required"},
    ),
    "body became required": (
        _set(_BODY, "required", False),
        _set(_BODY, "required", True),
        {"request-body-became-required"},
    ),
    "body became optional": (
        None,
        _set(_BODY, "required", False),
        {"request-body-became-optional"},
    ),
    "request media type removed": (_xml(_BODY), lambda d: None, {"request-media-type-removed"}),
    "request media type added": (None, _xml(_BODY), {"request-media-type-added"}),
    "required request property added": (
        None,
        lambda d: (
            request(d)["properties"].__setitem__("store", {"type": "string"}),
            request(d)["required"].append("store"),
        ),
        {"request-property-added-required"},
    ),
    "request property became required": (
        None,
        lambda d: request(d)["required"].append("payment"),
        {"request-property-became-required"},
    ),
    "optional request property added": (
        None,
        lambda d: request(d)["properties"].__setitem__("coupon", {"type": "string"}),
        {"request-property-added"},
    ),
    "request property removed": (
        None,
        lambda d: request(d)["properties"].pop("meta"),
        {"request-property-removed"},
    ),
    "request property became optional": (
        None,
        _set(request, "required", []),
        {"request-property-became-optional"},
    ),
    "readOnly property is not part of a request": (
        None,
        lambda d: request(d)["properties"].__setitem__("id", {"type": "string", "readOnly": True}),
        set(),
    ),
    "request type narrowed": (
        _set(_prop(request, "meta"), "type", ["object", "null"]),
        lambda d: None,
        {"request-type-narrowed"},
    ),
    "request type widened": (
        None,
        _set(_prop(request, "meta"), "type", ["object", "null"]),
        {"request-type-widened"},
    ),
    "enum value removed (request and response)": (
        None,
        _set(_prop(item, "colour"), "enum", ["red"]),
        {"request-enum-value-removed", "response-enum-value-removed"},
    ),
    "enum value added (request and response)": (
        None,
        _set(_prop(item, "colour"), "enum", ["red", "blue", "green"]),
        {"request-enum-value-added", "response-enum-value-added"},
    ),
    "pattern changed": (
        None,
        _set(_prop(item, "sku"), "pattern", "^[A-Z]+$"),
        {"request-pattern-changed"},
    ),
    "format added to a request string": (
        None,
        _set(_prop(item, "note"), "format", "email"),
        {"request-format-changed"},
    ),
    "default changed": (
        None,
        _set(_prop(item, "gift"), "default", True),
        {"request-default-changed"},
    ),
    "request closed to extra properties": (
        None,
        _set(request, "additionalProperties", False),
        {"request-additional-properties-closed"},
    ),
    "request oneOf alternative removed": (
        None,
        lambda d: _prop(request, "payment")(d)["oneOf"].pop(),
        {"request-variant-removed"},
    ),
    "request oneOf alternative added": (
        None,
        lambda d: _prop(request, "payment")(d)["oneOf"].append(_NEW_VARIANT),
        {"request-variant-added"},
    ),
    "success status removed": (
        None,
        lambda d: put(d)["responses"].pop("200"),
        {"response-success-status-removed"},
    ),
    "error status removed": (
        None,
        lambda d: put(d)["responses"].pop("404"),
        {"response-error-status-removed"},
    ),
    "status added": (
        None,
        lambda d: put(d)["responses"].__setitem__("409", {"description": "conflict"}),
        {"response-status-added"},
    ),
    "response media type removed": (_xml(_OK), lambda d: None, {"response-media-type-removed"}),
    "response media type added": (None, _xml(_OK), {"response-media-type-added"}),
    "response header removed": (None, lambda d: _OK(d).pop("headers"), {"response-header-removed"}),
    "response header added": (
        None,
        lambda d: _OK(d)["headers"].__setitem__("Location", {"schema": {"type": "string"}}),
        {"response-header-added"},
    ),
    "response property removed": (
        None,
        lambda d: order(d)["properties"].pop("created"),
        {"response-property-removed"},
    ),
    "response property became optional": (
        None,
        _set(order, "required", ["id", "status"]),
        {"response-property-became-optional"},
    ),
    "response property added": (
        None,
        lambda d: order(d)["properties"].__setitem__("currency", {"type": "string"}),
        {"response-property-added"},
    ),
    "response property became required": (
        None,
        lambda d: order(d)["required"].append("note"),
        {"response-property-became-required"},
    ),
    "writeOnly property is not part of a response": (
        None,
        lambda d: order(d)["properties"].__setitem__(
            "secret", {"type": "string", "writeOnly": True}
        ),
        set(),
    ),
    "response became nullable": (
        None,
        _set(_prop(order, "note"), "type", ["string", "null"]),
        {"response-type-widened"},
    ),
    "response no longer nullable": (
        _set(_prop(order, "note"), "type", ["string", "null"]),
        lambda d: None,
        {"response-type-narrowed"},
    ),
    "response type changed": (
        None,
        _set(_prop(order, "total"), "type", "string"),
        {"response-type-changed"},
    ),
    "response format changed": (
        None,
        lambda d: _prop(order, "id")(d).pop("format"),
        {"response-format-changed"},
    ),
    "response oneOf alternative added": (
        None,
        lambda d: _prop(order, "payment")(d)["oneOf"].append(_NEW_VARIANT),
        {"response-variant-added"},
    ),
    "response oneOf alternative removed": (
        None,
        lambda d: _prop(order, "payment")(d)["oneOf"].pop(),
        {"response-variant-removed"},
    ),
    "property deprecated": (
        None,
        _set(_prop(order, "note"), "deprecated", True),
        {"property-deprecated"},
    ),
    "operation became authenticated": (
        _set(_get, "security", []),
        lambda d: None,
        {"security-added"},
    ),
    "a further way to authenticate": (
        None,
        _set(_get, "security", [{"bearer": []}, {"apiKey": []}]),
        {"security-removed"},
    ),
    "operation became public": (None, _set(_get, "security", []), {"security-removed"}),
}

#: bounds: (catalog name, keyword, request-only target, response-only target)
BOUND_TARGETS: dict[str, tuple[str, Callable[[Doc], Doc], Callable[[Doc], Doc]]] = {
    "max-length": ("maxLength", _prop(request, "comment"), _prop(order, "note")),
    "min-length": ("minLength", _prop(request, "comment"), _prop(order, "created")),
    "max-items": ("maxItems", _prop(request, "lines"), _prop(order, "lines")),
    "min-items": ("minItems", _prop(request, "lines"), _prop(order, "lines")),
    "max-properties": ("maxProperties", _prop(request, "meta"), _prop(order, "tags")),
    "maximum": ("maximum", _prop(request, "count"), _prop(order, "total")),
    "minimum": ("minimum", _prop(request, "count"), _prop(order, "total")),
}


def _bound_cases() -> dict[str, tuple[Edit | None, Edit, set[str]]]:
    cases: dict[str, tuple[Edit | None, Edit, set[str]]] = {}
    for name, (keyword, in_request, in_response) in BOUND_TARGETS.items():
        upper = name.startswith("max")
        for direction, target in (("request", in_request), ("response", in_response)):
            for outcome, step in (("narrowed", -1), ("widened", 1)):
                delta = step if upper else -step

                def edit(
                    doc: Doc,
                    target: Callable[[Doc], Doc] = target,
                    delta: int = delta,
                    keyword: str = keyword,
                ) -> None:
                    target(doc)[keyword] += delta

                cases[f"{direction} {keyword} {outcome}"] = (
                    None,
                    edit,
                    {f"{direction}-{name}-{outcome}"},
                )
    return cases


ALL_CASES = {**CASES, **_bound_cases()}


@pytest.mark.parametrize("name", list(ALL_CASES))
def test_rule_fires_on_its_pair_and_nothing_else_does(name: str) -> None:
    old_edit, new_edit, expected = ALL_CASES[name]
    old = edited(old_edit) if old_edit else base_document()
    new = edited(new_edit)

    assert rule_ids(old, new) == expected


def test_every_catalog_rule_has_a_pair() -> None:
    covered = set().union(*(expected for _, _, expected in ALL_CASES.values()))

    assert set(RULES) - covered == set()


def test_an_unchanged_document_has_no_changes() -> None:
    assert rule_ids(base_document(), base_document()) == set()


@pytest.mark.parametrize(
    ("rule", "severity"),
    [
        ("request-property-added-required", Severity.BREAKING),
        ("request-property-added", Severity.NON_BREAKING),
        ("response-property-removed", Severity.BREAKING),
        ("response-property-added", Severity.NON_BREAKING),
        ("request-max-length-narrowed", Severity.BREAKING),
        ("response-max-length-narrowed", Severity.NON_BREAKING),
        ("response-enum-value-added", Severity.BREAKING),
        ("operation-deprecated", Severity.DEPRECATION),
    ],
)
def test_direction_decides_severity(rule: str, severity: Severity) -> None:
    assert RULES[rule].severity is severity
