"""The requirements catalog names real operations, covers them all, and all OWASP 2023 risks."""

from __future__ import annotations

from typing import Any

from tests.spec_checks.conftest import SHOP, SpecTree, rules

CATALOG = "requirements/v1.yaml"


def _requirement(data: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in data["requirements"] if r["id"] == rid)


def test_minimal_catalog_has_no_findings(spec_tree: SpecTree) -> None:
    assert spec_tree.requirement_findings() == []


def test_unknown_operation_id_is_reported_at_its_line(spec_tree: SpecTree) -> None:
    spec_tree.edit_yaml(
        CATALOG, lambda d: _requirement(d, "WID-001")["operations"].append("listWidgetz")
    )

    [finding] = spec_tree.requirement_findings()

    assert finding.rule == "REQ005"
    assert finding.path == spec_tree.path(CATALOG).resolve()
    assert finding.line == spec_tree.line_of(CATALOG, "listWidgetz")
    assert "WID-001: unknown operationId 'listWidgetz'" in finding.message


def test_operation_not_covered_by_any_requirement_is_reported_at_the_operation(
    spec_tree: SpecTree,
) -> None:
    spec_tree.edit_yaml(
        CATALOG,
        lambda d: d.update(requirements=[r for r in d["requirements"] if r["id"] != "WID-001"]),
    )

    [finding] = spec_tree.requirement_findings()

    assert finding.rule == "REQ006"
    assert finding.path == spec_tree.path(SHOP).resolve()
    assert finding.line == spec_tree.line_of(SHOP, "operationId: listWidgets")


def test_a_catch_all_requirement_does_not_count_as_coverage(spec_tree: SpecTree) -> None:
    spec_tree.edit_yaml(
        CATALOG,
        lambda d: d.update(requirements=[r for r in d["requirements"] if r["id"] == "SEC-001"]),
    )

    findings = spec_tree.requirement_findings()

    # "*" is valid (no REQ005), but each operation is now named by no requirement; the OWASP
    # category that only WID-002 carried is gone too.
    assert rules(findings) == ["REQ006", "REQ006", "REQ006", "REQ008"]


def test_malformed_and_duplicate_ids_are_reported(spec_tree: SpecTree) -> None:
    def break_ids(data: dict[str, Any]) -> None:
        data["requirements"][0]["id"] = "wid-1"
        data["requirements"][2]["id"] = "WID-002"

    spec_tree.edit_yaml(CATALOG, break_ids)

    findings = spec_tree.requirement_findings()

    assert rules(findings) == ["REQ002", "REQ003"]
    [duplicate] = [f for f in findings if f.rule == "REQ003"]
    assert duplicate.line == spec_tree.line_of(CATALOG, "id: WID-002", occurrence=2)


def test_missing_fields_and_bad_severity_are_reported(spec_tree: SpecTree) -> None:
    def strip(data: dict[str, Any]) -> None:
        requirement = _requirement(data, "WID-001")
        del requirement["statement"]
        requirement["severity"] = "could"

    spec_tree.edit_yaml(CATALOG, strip)

    assert rules(spec_tree.requirement_findings()) == ["REQ004", "REQ009"]


def test_malformed_owasp_id_and_uncovered_category_are_reported(spec_tree: SpecTree) -> None:
    spec_tree.edit_yaml(CATALOG, lambda d: _requirement(d, "WID-002").update(owasp=["API5:2019"]))

    findings = spec_tree.requirement_findings()

    assert rules(findings) == ["REQ007", "REQ008"]
    assert any("API5:2023 is not covered" in f.message for f in findings)


def test_missing_catalog_is_reported(spec_tree: SpecTree) -> None:
    spec_tree.path(CATALOG).unlink()

    [finding] = spec_tree.requirement_findings()

    assert (finding.rule, finding.message) == ("REQ001", "the requirements catalog is missing")
