"""Status codes, headers, links and tags the contract demands, each caught when missing."""

from __future__ import annotations

from typing import Any

from tests.spec_checks.conftest import SHOP, ShopOperation, SpecTree, rules

PROBLEM = "openapi/common/problem.yaml"


def test_body_operation_without_415_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "post", lambda op: op["responses"].pop("415"))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS118"
    assert "createWidget: does not declare 415" in finding.message


def test_operation_without_503_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "get", lambda op: op["responses"].pop("503"))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS119"
    assert "listWidgets: does not declare 503" in finding.message


def test_operation_with_parameters_but_no_422_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "get", lambda op: op["responses"].pop("422"))

    assert rules(spec_tree.api_findings()) == ["OAS120"]


def test_operation_on_a_resource_path_without_404_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets/{widget_id}", "delete", lambda op: op["responses"].pop("404"))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS121"
    assert finding.line == spec_tree.line_of(SHOP, "responses:", occurrence=3)


def test_response_without_request_id_header_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation(
        "/widgets/{widget_id}", "delete", lambda op: op["responses"]["204"].pop("headers")
    )

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS117"
    assert "deleteWidget: response 204 does not declare the X-Request-ID header" in finding.message


def test_shared_401_without_www_authenticate_is_reported_in_the_common_file(
    spec_tree: SpecTree,
) -> None:
    spec_tree.edit_yaml(
        PROBLEM,
        lambda doc: doc["components"]["responses"]["Unauthorized"]["headers"].pop(
            "WWW-Authenticate"
        ),
    )

    [finding] = spec_tree.api_findings()

    assert (finding.rule, finding.path) == ("OAS117", spec_tree.path(PROBLEM).resolve())
    assert "shared response 401 does not declare the WWW-Authenticate header" in finding.message


def test_link_to_an_unknown_operation_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    def retarget(op: dict[str, Any]) -> None:
        op["responses"]["201"]["links"]["DeleteCreatedWidget"]["operationId"] = "removeWidget"

    shop_operation("/widgets", "post", retarget)

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS122"
    assert finding.line == spec_tree.line_of(SHOP, "DeleteCreatedWidget:")


def test_created_response_without_links_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "post", lambda op: op["responses"]["201"].pop("links"))

    assert rules(spec_tree.api_findings()) == ["OAS123"]


def test_undeclared_tag_is_reported(spec_tree: SpecTree, shop_operation: ShopOperation) -> None:
    shop_operation("/widgets", "get", lambda op: op.update(tags=["gadgets"]))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS103"
    assert "tag 'gadgets' is not declared" in finding.message


def test_response_example_that_breaks_its_schema_is_reported_at_the_offending_value(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    def wrong_type(op: dict[str, Any]) -> None:
        op["responses"]["201"]["content"]["application/json"]["example"] = {
            "id": "one",
            "name": "Sprocket",
        }

    shop_operation("/widgets", "post", wrong_type)

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS124"
    assert finding.line == spec_tree.line_of(SHOP, "id: one")
    assert "createWidget: response 201 application/json example" in finding.message
    assert "at /id" in finding.message and "is not of type 'integer'" in finding.message


def test_example_checked_through_a_ref_into_a_common_file(spec_tree: SpecTree) -> None:
    def page_without_total(doc: dict[str, Any]) -> None:
        example = doc["paths"]["/widgets"]["get"]["responses"]["200"]["content"]
        example["application/json"]["example"]["page"].pop("total")

    spec_tree.edit_yaml(SHOP, page_without_total)

    [finding] = spec_tree.api_findings()

    # WidgetPage.page is `$ref: ../common/pagination.yaml#/components/schemas/Page`
    assert finding.rule == "OAS124"
    assert "'total' is a required property" in finding.message


def test_parameter_example_outside_its_schema_is_reported(spec_tree: SpecTree) -> None:
    spec_tree.edit_yaml(
        "openapi/common/pagination.yaml",
        lambda doc: doc["components"]["parameters"]["Limit"].update(example=500),
    )

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS124"
    assert finding.path == spec_tree.path("openapi/common/pagination.yaml").resolve()
    assert "shared parameter limit example" in finding.message
    assert "500 is greater than the maximum of 100" in finding.message


def test_link_filling_a_parameter_the_target_does_not_take_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    def wrong_parameter(op: dict[str, Any]) -> None:
        op["responses"]["201"]["links"]["DeleteCreatedWidget"]["parameters"] = {
            "path.id": "$response.body#/id"
        }

    shop_operation("/widgets", "post", wrong_parameter)

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS122"
    assert "sets parameter 'path.id', which deleteWidget does not take" in finding.message
    assert "widget_id" in finding.hint


def test_created_response_without_location_is_reported(
    spec_tree: SpecTree, shop_operation: ShopOperation
) -> None:
    shop_operation("/widgets", "post", lambda op: op["responses"]["201"]["headers"].pop("Location"))

    [finding] = spec_tree.api_findings()

    assert finding.rule == "OAS117"
    assert "createWidget: response 201 does not declare the Location header" in finding.message
