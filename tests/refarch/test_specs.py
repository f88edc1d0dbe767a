"""The spec loader: one place that finds the specs and inlines cross-file references."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from refarch import specs


def write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write(
        tmp_path / "openapi/common/problem.yaml",
        {
            "components": {
                "schemas": {
                    "Problem": {
                        "type": "object",
                        "properties": {"title": {"$ref": "#/components/schemas/Title"}},
                    },
                    "Title": {"type": "string"},
                }
            }
        },
    )
    write(
        tmp_path / "openapi/shop/v1.yaml",
        {
            "openapi": "3.1.0",
            "paths": {
                "/items/{id}": {
                    "get": {
                        "operationId": "getItem",
                        "x-required-role": "admin",
                        "responses": {
                            "404": {
                                "description": "missing",
                                "content": {
                                    "application/problem+json": {
                                        "schema": {
                                            "$ref": "../common/problem.yaml#/components/schemas/Problem",
                                            "description": "sibling wins",
                                        }
                                    }
                                },
                            }
                        },
                    },
                    "delete": {"operationId": "deleteItem", "security": [], "responses": {}},
                }
            },
        },
    )
    return tmp_path


def test_cross_file_refs_are_inlined_with_nested_local_refs(tree: Path) -> None:
    doc = specs.load_openapi("shop", root=tree)
    schema = doc["paths"]["/items/{id}"]["get"]["responses"]["404"]["content"][
        "application/problem+json"
    ]["schema"]
    assert schema["properties"]["title"] == {"type": "string"}
    assert schema["description"] == "sibling wins"


def test_operations_carry_admin_and_public_markers(tree: Path) -> None:
    ops = {op.operation_id: op for op in specs.operations(services=("shop",), root=tree)}
    assert ops["getItem"].admin_only and not ops["getItem"].public
    assert ops["deleteItem"].public and ops["deleteItem"].method == "DELETE"


def test_missing_spec_names_service_version_and_path(tree: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no spec for service 'shop' version 'v9'"):
        specs.load_openapi("shop", "v9", root=tree)


def test_circular_refs_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "openapi/loop/v1.yaml", {"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}})
    with pytest.raises(ValueError, match="circular"):
        specs.load_openapi("loop", root=tmp_path)


def test_env_override_wins(monkeypatch: pytest.MonkeyPatch, tree: Path) -> None:
    monkeypatch.setenv("REFARCH_SPECS_DIR", str(tree))
    assert specs.specs_root() == tree


def test_default_root_is_the_checkout_specs_folder() -> None:
    root = specs.specs_root()
    assert (root / "sql").is_dir() and root.name == "specs"
