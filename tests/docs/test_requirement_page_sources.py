"""The requirements page says which catalog a version extends and why an inherited rule went."""

from __future__ import annotations

from refarch.docsgen.requirement_index import TracedCatalog
from refarch.docsgen.requirement_pages import render_requirements_page
from refarch.requirements import Requirement, RequirementCatalog

RULE = Requirement("ORD-001", "Totals", "holds", operations=("*",))


def test_an_extending_catalog_names_its_base_and_each_removal_with_its_reason() -> None:
    catalog = TracedCatalog("v2", (RULE,), "v1", (("API-026", "v1-only headers"),))

    page = render_requirements_page(catalog, [])

    assert "`specs/requirements/v2.yaml`, which extends the v1 catalog" in page
    assert "API-026 does not hold in v2: v1-only headers." in page


def test_a_plain_catalog_names_only_its_file() -> None:
    page = render_requirements_page(TracedCatalog("v1", (RULE,)), [])

    assert "Source: `specs/requirements/v1.yaml`." in page
    assert "extends" not in page


def test_the_shipped_v2_catalog_knows_what_it_extends_and_removes() -> None:
    catalog = RequirementCatalog.load("v2")
    assert catalog.extends == "v1"
    assert dict(catalog.removed).keys() == {"API-026"}
    assert RequirementCatalog.load("v1").extends is None
