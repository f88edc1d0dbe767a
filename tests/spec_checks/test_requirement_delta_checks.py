"""A v2 catalog that extends v1 is checked as resolved, each finding at the file that holds it."""

from __future__ import annotations

import shutil

import pytest

from refarch.spec_checks import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.requirements_rules import check_requirements
from refarch.spec_checks.yaml_source import SourceCache
from tests.spec_checks.conftest import SHOP, SpecTree, rules

V1 = "requirements/v1.yaml"
V2 = "requirements/v2.yaml"
SHOP_V2 = "openapi/shop/v2.yaml"


@pytest.fixture
def v2_tree(spec_tree: SpecTree) -> SpecTree:
    """The minimal tree with a v2 shop identical to v1 and a v2 catalog that changes nothing."""
    shutil.copy(spec_tree.path(SHOP), spec_tree.path(SHOP_V2))
    spec_tree.write(V2, "version: v2\nextends: v1\n")
    return spec_tree


def _v2_findings(tree: SpecTree) -> list[Finding]:
    return check_requirements(SpecLayout.open(tree.root, "v2"), SourceCache())


def test_an_extension_that_changes_nothing_inherits_a_clean_catalog(v2_tree: SpecTree) -> None:
    assert _v2_findings(v2_tree) == []


def test_an_inherited_rule_naming_an_operation_v2_lacks_is_reported_in_v1(
    v2_tree: SpecTree,
) -> None:
    text = v2_tree.path(SHOP_V2).read_text(encoding="utf-8")
    v2_tree.write(SHOP_V2, text.replace("operationId: listWidgets", "operationId: pageWidgets"))

    findings = _v2_findings(v2_tree)

    assert rules(findings) == ["REQ005", "REQ006"]
    [unknown] = [f for f in findings if f.rule == "REQ005"]
    assert unknown.path == v2_tree.path(V1).resolve()
    assert unknown.line == v2_tree.line_of(V1, "operations: [listWidgets]")
    assert "WID-001: unknown operationId 'listWidgets' in v2" in unknown.message


def test_a_replacement_fixes_the_inherited_rule_and_is_checked_where_written(
    v2_tree: SpecTree,
) -> None:
    text = v2_tree.path(SHOP_V2).read_text(encoding="utf-8")
    v2_tree.write(SHOP_V2, text.replace("operationId: listWidgets", "operationId: pageWidgets"))
    v2_tree.write(
        V2,
        "version: v2\nextends: v1\nreplace:\n"
        "  - id: WID-001\n    title: Widgets are listed in pages\n"
        "    statement: Listing widgets returns at most `limit` items per page.\n"
        "    operations: [pageWidgets]\n    severity: maybe\n",
    )

    [finding] = _v2_findings(v2_tree)

    assert finding.rule == "REQ009"
    assert finding.path == v2_tree.path(V2).resolve()
    assert finding.line == v2_tree.line_of(V2, "severity: maybe")


def test_replacing_an_unknown_id_is_reported_at_its_line(v2_tree: SpecTree) -> None:
    v2_tree.write(
        V2,
        "version: v2\nextends: v1\nreplace:\n"
        "  - id: WID-009\n    title: t\n    statement: s\n    operations: [listWidgets]\n"
        "    severity: must\n",
    )

    [finding] = _v2_findings(v2_tree)

    assert finding.rule == "REQ010"
    assert finding.path == v2_tree.path(V2).resolve()
    assert finding.line == v2_tree.line_of(V2, "id: WID-009")
    assert "replace names WID-009, which v1 does not have" in finding.message


def test_an_extends_cycle_is_reported(v2_tree: SpecTree) -> None:
    v2_tree.write(V2, "version: v2\nextends: v2\n")

    [finding] = _v2_findings(v2_tree)

    assert finding.rule == "REQ010"
    assert "cycle: v2 -> v2" in finding.message
