"""A catalog that extends another states only its difference; the model resolves it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from refarch.requirement_delta import CatalogError
from refarch.requirements import RequirementCatalog


def _rule(rid: str, statement: str = "holds", operations: tuple[str, ...] = ("op",)) -> Any:
    return {"id": rid, "title": rid, "statement": statement, "operations": list(operations)}


def _catalogs(tmp_path: Path, **catalogs: dict[str, Any]) -> Path:
    (tmp_path / "requirements").mkdir()
    for version, data in catalogs.items():
        path = tmp_path / "requirements" / f"{version}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return tmp_path


BASE = {
    "version": "v1",
    "requirements": [
        _rule("ORD-001", "placed under /api/{version}/orders"),
        _rule("ORD-002"),
        _rule("API-001"),
        _rule("API-002"),
    ],
}


def _error(tmp_path: Path, v2: dict[str, Any], **more: dict[str, Any]) -> str:
    root = _catalogs(tmp_path, v1=BASE, v2=v2, **more)
    with pytest.raises(CatalogError) as raised:
        RequirementCatalog.load("v2", root)
    return str(raised.value)


def test_the_extension_is_the_base_with_replacements_additions_and_without_removals(
    tmp_path: Path,
) -> None:
    root = _catalogs(
        tmp_path,
        v1=BASE,
        v2={
            "version": "v2",
            "extends": "v1",
            "replace": [_rule("ORD-002", "restated for v2", ("op", "op2"))],
            "remove": {"API-002": "v1-only"},
            "requirements": [_rule("ORD-003"), _rule("NEW-001")],
        },
    )
    v2 = RequirementCatalog.load("v2", root)
    # a new id lands after the last id of its range; an unknown range goes at the end
    assert [r.id for r in v2] == ["ORD-001", "ORD-002", "ORD-003", "API-001", "NEW-001"]
    assert v2.get("ORD-002").statement == "restated for v2"
    assert v2.get("ORD-002").operations == ("op", "op2")
    assert v2.get("ORD-001").statement == "placed under /api/v2/orders"
    # the base itself is untouched and renders its own version
    v1 = RequirementCatalog.load("v1", root)
    assert [r.id for r in v1] == ["ORD-001", "ORD-002", "API-001", "API-002"]
    assert v1.get("ORD-001").statement == "placed under /api/v1/orders"
    assert v1.get("ORD-002").statement == "holds"


def test_extensions_chain(tmp_path: Path) -> None:
    root = _catalogs(
        tmp_path,
        v1=BASE,
        v2={"extends": "v1", "remove": {"API-001": "gone"}},
        v3={"extends": "v2", "requirements": [_rule("API-003")]},
    )
    assert [r.id for r in RequirementCatalog.load("v3", root)] == [
        "ORD-001",
        "ORD-002",
        "API-002",
        "API-003",
    ]


def test_an_extends_cycle_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, {"extends": "v3"}, v3={"extends": "v2", "requirements": []})
    assert "v2.yaml" in message and "cycle: v2 -> v3 -> v2" in message


def test_a_catalog_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    assert "cycle: v2 -> v2" in _error(tmp_path, {"extends": "v2"})


def test_replacing_an_unknown_id_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, {"extends": "v1", "replace": [_rule("ORD-009")]})
    assert "v2.yaml" in message and "replace names ORD-009, which v1 does not have" in message


def test_removing_an_unknown_id_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, {"extends": "v1", "remove": {"API-009": "why"}})
    assert "v2.yaml" in message and "remove names API-009, which v1 does not have" in message


def test_a_removal_needs_a_reason(tmp_path: Path) -> None:
    message = _error(tmp_path, {"extends": "v1", "remove": ["API-001"]})
    assert "`remove` must map each removed id to the reason" in message


def test_adding_an_id_the_base_has_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, {"extends": "v1", "requirements": [_rule("ORD-001")]})
    assert "v2.yaml" in message and "ORD-001 is added, but v1 already has it" in message


def test_extending_a_missing_catalog_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, {"extends": "v0"})
    assert "v2.yaml" in message and "extends v0, whose catalog cannot be read" in message


def test_replace_without_extends_is_named(tmp_path: Path) -> None:
    assert "`replace` needs `extends: <version>`" in _error(
        tmp_path, {"replace": [_rule("ORD-001")]}
    )


def test_the_shipped_v2_holds_every_v1_rule_except_its_removals() -> None:
    v1 = RequirementCatalog.load("v1")
    v2 = RequirementCatalog.load("v2")
    removed = yaml.safe_load(
        (Path(__file__).parents[2] / "specs" / "requirements" / "v2.yaml").read_text("utf-8")
    )["remove"]
    assert set(removed) == {"API-026"}  # the v1-only deprecation headers
    assert {r.id for r in v1} - {r.id for r in v2} == set(removed)
    assert {r.id for r in v2} - {r.id for r in v1} == {"ORD-018", "ORD-019", "API-024", "API-025"}
    # inherited rules keep their meaning, and name the version they are read in
    assert v2.get("EVT-001") == v1.get("EVT-001")
    assert "/api/v2/users/{id}" in v2.get("AUTH-001").statement
    assert "/api/v1/users/{id}" in v1.get("AUTH-001").statement
    assert not any("{version}" in r.statement for r in (*v1, *v2))
    # the order lists page by cursor in v2, so the offset-page rules no longer name them
    assert "listMyOrders" in v1.get("API-010").operations
    assert "listMyOrders" not in v2.get("API-010").operations
