"""Each OpenAPI rule catches the one thing it claims, on the minimal tree broken in one place."""

from __future__ import annotations

from typing import Any

import pytest

from tests.spec_checks.conftest import SHOP, ShopOperation, SpecTree, rules

PROBLEM_REF = "../common/problem.yaml#/components/responses/"
REQUEST_ID = {"X-Request-ID": {"$ref": "../common/headers.yaml#/components/headers/XRequestId"}}


def test_minimal_tree_has_no_api_findings(spec_tree: SpecTree) -> None:
    assert spec_tree.api_findings() == []


def test_missing_operation_id_is_reported_at_the_operation(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "get", lambda op: op.pop("operationId"))

    [finding] = spec_tree.api_findings()

    assert (finding.rule, finding.path) == ("OAS101", spec_tree.path(SHOP).resolve())
    assert finding.line == spec_tree.line_of(SHOP, "get:")
    assert "GET /widgets: no operationId" in finding.message
    assert "operationId" in finding.hint


def test_operation_id_reused_by_another_service_is_reported(spec_tree: SpecTree) -> None:
    other = (
        spec_tree.path(SHOP)
        .read_text(encoding="utf-8")
        .replace("operationId: createWidget", "operationId: createGadget")
        .replace("operationId: deleteWidget", "operationId: deleteGadget")
    )
    spec_tree.write("openapi/stock/v1.yaml", other)

    findings = spec_tree.api_findings()

    assert rules(findings) == ["OAS102"]
    assert findings[0].path == spec_tree.path("openapi/stock/v1.yaml").resolve()
    assert "listWidgets" in findings[0].message and "shop GET /widgets" in findings[0].message


def test_error_response_served_as_plain_json_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    def plain_json_404(op: dict[str, Any]) -> None:
        op["responses"]["404"] = {
            "description": "Not found.",
            "headers": REQUEST_ID,
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {"error": "not found"},
                }
            },
        }

    shop_operation("/widgets/{widget_id}", "delete", plain_json_404)

    findings = spec_tree.api_findings()

    assert rules(findings) == ["OAS107", "OAS107"]  # no problem+json, and a foreign media type
    assert all("deleteWidget: response 404" in f.message for f in findings)


def test_problem_json_with_an_own_schema_instead_of_common_problem_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    def own_problem_schema(op: dict[str, Any]) -> None:
        op["responses"]["404"] = {
            "description": "Not found.",
            "headers": REQUEST_ID,
            "content": {
                "application/problem+json": {
                    "schema": {"type": "object", "properties": {"title": {"type": "string"}}},
                    "example": {"title": "Not found"},
                }
            },
        }

    shop_operation("/widgets/{widget_id}", "delete", own_problem_schema)

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS108"
    assert "common Problem schema" in finding.message


def test_shared_error_response_without_problem_json_is_reported_once_where_written(
    spec_tree: SpecTree,
) -> None:
    common = "openapi/common/problem.yaml"
    spec_tree.edit_yaml(
        common,
        lambda doc: doc["components"]["responses"]["Unauthorized"].pop("content"),
    )

    findings = spec_tree.api_findings()

    # Used by two operations, reported once, in the common file that needs the fix.
    assert rules(findings) == ["OAS107"]
    assert findings[0].path == spec_tree.path(common).resolve()
    assert findings[0].line == spec_tree.line_of(common, "Unauthorized:")


def test_request_body_without_example_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation(
        "/widgets",
        "post",
        lambda op: op["requestBody"]["content"]["application/json"].pop("example"),
    )

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS105"
    # the first application/json is listWidgets' 200 response, the second createWidget's body
    assert finding.line == spec_tree.line_of(SHOP, "application/json:", occurrence=2)


def test_response_body_without_example_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation(
        "/widgets",
        "get",
        lambda op: op["responses"]["200"]["content"]["application/json"].pop("example"),
    )

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS106"
    assert "listWidgets: response 200 application/json has no example" in finding.message


def test_admin_operation_without_required_role_marker_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "post", lambda op: op.pop("x-required-role"))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS111"
    assert finding.line == spec_tree.line_of(SHOP, "'403':")


def test_admin_operation_without_403_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "post", lambda op: op["responses"].pop("403"))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS110"
    assert "createWidget: admin-only operation does not declare 403" in finding.message


def test_secured_operation_without_401_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets/{widget_id}", "delete", lambda op: op["responses"].pop("401"))

    assert rules(spec_tree.api_findings()) == ["OAS109"]


def test_required_role_on_a_public_operation_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    def public_admin(op: dict[str, Any]) -> None:
        op["x-required-role"] = "admin"
        op["responses"]["403"] = {"$ref": PROBLEM_REF + "Forbidden"}

    shop_operation("/widgets", "get", public_admin)

    assert rules(spec_tree.api_findings()) == ["OAS116"]


def test_list_operation_whose_limit_has_no_maximum_is_reported(spec_tree: SpecTree) -> None:
    spec_tree.edit_yaml(
        "openapi/common/pagination.yaml",
        lambda doc: doc["components"]["parameters"]["Limit"]["schema"].pop("maximum"),
    )

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS113"
    assert "listWidgets: `limit` has no integer maximum" in finding.message


def test_list_operation_without_limit_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "get", lambda op: op.pop("parameters"))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS113"
    assert "has no `limit` query parameter" in finding.message


def test_operation_without_slo_or_summary_or_tags_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    def strip(op: dict[str, Any]) -> None:
        del op["x-slo"], op["summary"], op["tags"]

    shop_operation("/widgets", "get", strip)

    assert rules(spec_tree.api_findings()) == ["OAS103", "OAS104", "OAS112"]


def test_slo_with_p95_above_p99_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation(
        "/widgets",
        "get",
        lambda op: op.update({"x-slo": {"p95_ms": 500, "p99_ms": 100, "max_error_ratio": 0.01}}),
    )

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS112"
    assert "p95_ms must not exceed p99_ms" in finding.message


def test_missing_server_base_and_prefixed_path_are_reported(spec_tree: SpecTree) -> None:
    def break_urls(doc: dict[str, Any]) -> None:
        doc["servers"] = [{"url": "/api"}]
        doc["paths"]["/api/v1/widgets"] = doc["paths"].pop("/widgets")

    spec_tree.edit_yaml(SHOP, break_urls)

    findings = spec_tree.api_findings()

    assert rules(findings) == ["OAS114", "OAS115"]


def test_unresolvable_ref_is_reported_at_the_ref_line(spec_tree: SpecTree) -> None:
    text = spec_tree.path(SHOP).read_text(encoding="utf-8")
    spec_tree.write(SHOP, text.replace("responses/Forbidden", "responses/Forbiden", 1))

    findings = spec_tree.api_findings()

    assert "OAS002" in rules(findings)
    [unresolved] = [f for f in findings if f.rule == "OAS002"]
    assert unresolved.line == spec_tree.line_of(SHOP, "responses/Forbiden")
    assert "has no #/components/responses/Forbiden" in unresolved.message


def test_document_breaking_the_openapi_schema_is_reported_by_the_validator(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets/{widget_id}", "delete", lambda op: op["parameters"][0].pop("in"))

    findings = spec_tree.api_findings()

    assert "OAS003" in rules(findings)
    validator_findings = [f for f in findings if f.rule == "OAS003"]
    assert any(
        "in" in f.message and "is a required property" in f.message for f in validator_findings
    )
    assert all(f.line == spec_tree.line_of(SHOP, "- name: widget_id") for f in validator_findings)


def test_yaml_syntax_error_is_reported_with_its_line(spec_tree: SpecTree) -> None:
    text = spec_tree.path(SHOP).read_text(encoding="utf-8")
    spec_tree.write(SHOP, text.replace("summary: List widgets", "summary: [List widgets"))

    findings = spec_tree.api_findings()

    assert rules(findings) == ["OAS001"]
    assert findings[0].line > 0 and "invalid YAML" in findings[0].message


MALFORMED_SHAPES: dict[str, Any] = {
    "responses is a string": lambda d: d["paths"]["/widgets"]["get"].update(responses="oops"),
    "content is a list": lambda d: d["paths"]["/widgets"]["get"]["responses"]["200"].update(
        content=[1]
    ),
    "request body is a string": lambda d: d["paths"]["/widgets"]["post"].update(requestBody="x"),
    "parameters is a mapping": lambda d: d["paths"]["/widgets"]["get"].update(parameters={"a": 1}),
    "properties is a list": lambda d: d["components"]["schemas"]["WidgetPage"].update(
        properties=[1]
    ),
    "paths is a list": lambda d: d.update(paths=[1]),
}


@pytest.mark.parametrize("shape", MALFORMED_SHAPES)
def test_malformed_shapes_are_reported_by_the_validator_without_crashing_the_rules(
    spec_tree: SpecTree, shape: str
) -> None:
    spec_tree.edit_yaml(SHOP, MALFORMED_SHAPES[shape])

    assert "OAS003" in rules(spec_tree.api_findings())
