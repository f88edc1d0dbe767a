"""The one requirements model: the shipped catalog loads into it, and lookups answer by id."""

from __future__ import annotations

from pathlib import Path

import yaml

from refarch.requirements import (
    OWASP_API_TOP10_2023,
    REQUIREMENT_ID,
    Requirement,
    RequirementCatalog,
)


def test_the_shipped_catalog_loads_with_well_formed_ids() -> None:
    catalog = RequirementCatalog.load("v1")
    assert catalog.version == "v1" and len(catalog) > 50
    assert all(REQUIREMENT_ID.match(requirement.id) for requirement in catalog)
    owasp = {owasp_id for requirement in catalog for owasp_id in requirement.owasp}
    assert owasp == set(OWASP_API_TOP10_2023)


def test_an_entry_without_optional_fields_gets_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "v9.yaml").write_text(
        yaml.safe_dump(
            {
                "requirements": [
                    {"id": "ORD-001", "title": "Totals", "operations": ["placeOrder"]},
                    {"id": "API-001", "title": "Problems", "operations": ["*"], "owasp": ["A"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    catalog = RequirementCatalog.load("v9", tmp_path)
    totals, problems = catalog.requirements
    assert totals == Requirement("ORD-001", "Totals", "", "must", ("placeOrder",), ())
    assert problems.cross_cutting and not totals.cross_cutting
    assert catalog.for_operation("placeOrder") == [totals]
    assert catalog.cross_cutting == [problems]
    assert catalog.for_owasp("A") == [problems]


def test_unknown_ids_are_listed_in_the_order_given() -> None:
    catalog = RequirementCatalog("v1", (Requirement("ORD-001", "t", "s"),))
    assert "ORD-001" in catalog and "ORD-999" not in catalog
    assert catalog.unknown(["ORD-999", "ORD-001", "CAT-000"]) == ["ORD-999", "CAT-000"]
