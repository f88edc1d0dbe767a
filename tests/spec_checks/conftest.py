"""A throw-away copy of the minimal valid specs tree that each test breaks in one place."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml

from refarch.spec_checks import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.openapi_rules import check_openapi_rules
from refarch.spec_checks.openapi_validity import check_openapi_validity
from refarch.spec_checks.requirements_rules import check_requirements
from refarch.spec_checks.sql_lint import check_sql
from refarch.spec_checks.yaml_source import SourceCache

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
SHOP = "openapi/shop/v1.yaml"


class SpecTree:
    """The minimal specs under ``root``, with helpers to break them and run single checks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(MINIMAL, root)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def edit_yaml(self, relative: str, change: Callable[[Any], None]) -> None:
        data = yaml.safe_load(self.path(relative).read_text(encoding="utf-8"))
        change(data)
        self.path(relative).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def write(self, relative: str, text: str) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def line_of(self, relative: str, needle: str, occurrence: int = 1) -> int:
        """1-based line of the ``occurrence``-th line containing ``needle``."""
        lines = self.path(relative).read_text(encoding="utf-8").splitlines()
        hits = [number for number, line in enumerate(lines, start=1) if needle in line]
        return hits[occurrence - 1]

    def layout(self) -> SpecLayout:
        return SpecLayout.open(self.root, "v1")

    def api_findings(self) -> list[Finding]:
        """OpenAPI validity plus project rules, as the runner would run them."""
        cache = SourceCache()
        layout = self.layout()
        return check_openapi_validity(layout, cache) + check_openapi_rules(layout, cache)

    def requirement_findings(self) -> list[Finding]:
        return check_requirements(self.layout(), SourceCache())

    def sql_findings(self) -> list[Finding]:
        return check_sql(self.layout())


class ShopOperation(Protocol):
    """Changes one operation of the shop service in place: ``("/widgets", "get", fn)``."""

    def __call__(
        self, url_path: str, method: str, change: Callable[[dict[str, Any]], None]
    ) -> None: ...


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


@pytest.fixture
def spec_tree(tmp_path: Path) -> SpecTree:
    return SpecTree(tmp_path / "specs")


@pytest.fixture
def shop_operation(spec_tree: SpecTree) -> ShopOperation:
    def edit(url_path: str, method: str, change: Callable[[dict[str, Any]], None]) -> None:
        spec_tree.edit_yaml(SHOP, lambda doc: change(doc["paths"][url_path][method]))

    return edit
