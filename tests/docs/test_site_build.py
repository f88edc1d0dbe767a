"""The strict build: it passes, and every operation and table has its generated page and anchor."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from refarch.docsgen.ddl_model import load_data_model
from refarch.docsgen.site_build import BuildError, build_site
from refarch.specs import load_requirements, operations
from tests.docs.conftest import BuiltSite, scratch_checkout

VERSION = "v1"
EXTERNAL_ASSET = re.compile(
    r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I
)


def test_strict_build_produces_the_home_page_and_the_reference_index(built_site: BuiltSite) -> None:
    assert (built_site.site / "index.html").is_file()
    assert (built_site.site / "reference" / VERSION / "index.html").is_file()
    assert built_site.report.generated[0].version == VERSION


def test_every_operation_has_an_anchor_named_by_its_operation_id(built_site: BuiltSite) -> None:
    missing = []
    for op in operations(VERSION):
        page = built_site.page(f"reference/{VERSION}/api/{op.service}.html")
        if f'id="{op.operation_id}"' not in page:
            missing.append(f"{op.service}:{op.operation_id}")
    assert not missing, f"operations without an anchor: {missing}"


def test_every_operation_page_shows_the_full_path_with_the_server_prefix(
    built_site: BuiltSite,
) -> None:
    for op in operations(VERSION):
        page = built_site.page(f"reference/{VERSION}/api/{op.service}.html")
        assert f"{op.method} /api/{VERSION}{op.path}" in page, op.operation_id


def test_every_table_in_the_migrations_has_a_section(built_site: BuiltSite) -> None:
    missing = []
    for schema in load_data_model():
        page = built_site.page(f"reference/{VERSION}/data/{schema.name}.html")
        for table in schema.tables:
            if f'id="{schema.name}-{table.name}"' not in page:
                missing.append(table.qualified_name)
    assert not missing, f"tables without a section: {missing}"


def test_every_requirement_has_an_anchor_in_the_catalog(built_site: BuiltSite) -> None:
    page = built_site.page(f"reference/{VERSION}/requirements.html")
    missing = [r["id"] for r in load_requirements(VERSION) if f'id="{r["id"]}"' not in page]
    assert not missing, f"requirements without an anchor: {missing}"


def test_no_built_page_loads_anything_from_another_host(built_site: BuiltSite) -> None:
    offenders = [
        str(html.relative_to(built_site.site))
        for html in built_site.site.rglob("*.html")
        if EXTERNAL_ASSET.search(html.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"pages referencing remote scripts, styles or images: {offenders}"


@pytest.mark.slow
def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    # measured: `mkdocs build --strict -q` exits 0 despite warnings; prove ours really fails.
    root = scratch_checkout(tmp_path / "checkout")
    index = root / "docs" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\n[gone](no-such-page.md)\n", encoding="utf-8"
    )
    with pytest.raises(BuildError, match=r"no-such-page\.md"):
        build_site(tmp_path / "site", root=root)
    shutil.rmtree(root)


def test_chapters_link_to_their_source_and_generated_pages_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFARCH_REPO_URL", "https://git.example.invalid/refarch")
    root = scratch_checkout(tmp_path / "checkout")
    build_site(root / "site", root=root)
    chapter = (root / "site" / "architecture" / "containers.html").read_text(encoding="utf-8")
    generated = (root / "site" / "reference" / VERSION / "api" / "orders.html").read_text("utf-8")
    edit = "https://git.example.invalid/refarch/edit/main/docs/architecture/containers.md"
    assert f'href="{edit}"' in chapter
    assert "/edit/main/" not in generated  # rebuilt from the specs: nothing to edit there
    assert "git-revision-date-localized-plugin-date" in chapter  # "last updated"


def test_without_a_repository_address_no_edit_link_is_guessed(built_site: BuiltSite) -> None:
    assert "/edit/" not in built_site.page("architecture/containers.html")
