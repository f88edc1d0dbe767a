"""The docs' generated blocks: the rule catalogs come from the code, the changelog from a
real diff of the published versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from refarch.docsgen.api_changes import (
    render_changelog,
    render_diff_example,
    render_diff_rules,
    render_sql_expand_rules,
)
from refarch.spec_checks.expand_only import RULES as SQL_RULES
from refarch.spec_diff import RULES
from tests.spec_diff.cli_run import PLANTED

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_rule_table_lists_every_rule_with_its_severity() -> None:
    table = render_diff_rules(DOCS)

    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.severity.value} | {rule.explanation} |" in table


def test_the_sql_table_lists_every_expand_only_rule() -> None:
    table = render_sql_expand_rules(DOCS)

    assert all(f"| `{rule}` |" in table for rule in SQL_RULES)


def test_the_example_report_shows_a_break_a_deprecation_and_an_addition() -> None:
    example = render_diff_example(DOCS)

    assert "1 breaking, 1 deprecation, 1 non-breaking" in example
    assert "| breaking | `request-property-added-required` | POST /items |" in example


@pytest.fixture
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A specs folder with a service at v1 and v2 (one operation removed, version 2.0.0)."""
    service = tmp_path / "openapi" / "shop"
    service.mkdir(parents=True)
    shutil.copyfile(PLANTED / "base.yaml", service / "v1.yaml")
    removed = (PLANTED / "breaking" / "operation-removed.yaml").read_text(encoding="utf-8")
    (service / "v2.yaml").write_text(removed.replace("1.0.0", "2.0.0"), encoding="utf-8")
    (tmp_path / "openapi" / "common").mkdir()
    monkeypatch.setenv("REFARCH_SPECS_DIR", str(tmp_path))
    return tmp_path


def test_the_changelog_is_the_diff_between_consecutive_major_versions(two_versions: Path) -> None:
    changelog = render_changelog(DOCS)

    assert "## v1 → v2" in changelog
    assert "### shop" in changelog
    assert "(major version 1 -> 2: breaking changes expected)" in changelog
    assert "| breaking | `operation-removed` | GET /items/{id} |" in changelog


def test_with_one_version_the_changelog_says_so(two_versions: Path) -> None:
    (two_versions / "openapi" / "shop" / "v2.yaml").unlink()

    assert "Only v1 is published" in render_changelog(DOCS)
