"""SQL migrations are named V###__name.sql and lint clean under the committed .sqlfluff."""

from __future__ import annotations

from pathlib import Path

from refarch.spec_checks.sql_lint import find_sqlfluff_config
from tests.spec_checks.conftest import SpecTree, rules

REPO = Path(__file__).resolve().parents[2]


def test_minimal_migrations_lint_clean(spec_tree: SpecTree) -> None:
    assert spec_tree.sql_findings() == []


def test_a_copied_specs_tree_is_linted_with_the_committed_config(spec_tree: SpecTree) -> None:
    assert find_sqlfluff_config(spec_tree.root) == REPO / ".sqlfluff"


def test_sql_that_does_not_parse_is_reported_with_its_file(spec_tree: SpecTree) -> None:
    broken = spec_tree.write(
        "sql/shop/V002__broken.sql",
        "CREATE TABLE shop.gadgets (\n    id BIGINT PRIMARY KEY\n    name TEXT NOT NULL\n);\n",
    )

    findings = spec_tree.sql_findings()

    assert "SQL002" in rules(findings)
    assert {f.path for f in findings} == {broken}


def test_style_violation_names_the_sqlfluff_rule(spec_tree: SpecTree) -> None:
    path = spec_tree.write(
        "sql/shop/V002__lower.sql", "create index widgets_name_idx on shop.widgets (name);\n"
    )

    findings = spec_tree.sql_findings()

    assert set(rules(findings)) == {"SQL-CP01"}
    assert {(f.path, f.line) for f in findings} == {(path, 1)}


def test_misnamed_migration_is_reported_with_refarch_migrate_message(spec_tree: SpecTree) -> None:
    misnamed = spec_tree.write("sql/shop/V2_more.sql", "SELECT 1;\n")

    findings = [f for f in spec_tree.sql_findings() if f.rule == "SQL001"]

    assert len(findings) == 1
    assert findings[0].path == misnamed
    assert "file name must look like V001__short_name.sql" in findings[0].message


def test_gap_in_versions_is_reported(spec_tree: SpecTree) -> None:
    spec_tree.write("sql/shop/V003__later.sql", "SELECT 1;\n")

    [finding] = [f for f in spec_tree.sql_findings() if f.rule == "SQL001"]

    assert "without gaps" in finding.message
