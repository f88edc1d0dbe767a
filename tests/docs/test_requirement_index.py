"""Finding the tests that claim a requirement, by letting pytest collect them."""

from __future__ import annotations

from pathlib import Path

import pytest

from refarch.docsgen.site_build import checkout_root
from refarch.docsgen.test_tags import (
    TagCollectionError,
    TestReference,
    collect_requirement_tests,
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_tags_written_any_way_pytest_accepts_are_found(tmp_path: Path) -> None:
    write(
        tmp_path / "tests" / "test_orders.py",
        "import pytest\n"
        "IDS = ('API-013', 'API-014')\n"
        "pytestmark = [pytest.mark.requirement(*IDS), pytest.mark.other]\n"
        "@pytest.mark.requirement('ORD-004', 'ORD-005')\n"
        "@pytest.mark.parametrize('n', [1, 2])\n"
        "def test_never_oversell(n):\n    pass\n"
        "class TestCancel:\n"
        "    @pytest.mark.requirement('ORD-007')\n"
        "    def test_restores_stock_once(self):\n        pass\n",
    )
    found = collect_requirement_tests(tmp_path)
    path = "tests/test_orders.py"
    never_oversell = TestReference(path, "test_never_oversell", black_box=False)
    restores = TestReference(path, "TestCancel::test_restores_stock_once", black_box=False)
    assert found["API-013"] == found["API-014"] == [restores, never_oversell]
    assert found["ORD-004"] == found["ORD-005"] == [never_oversell]
    assert found["ORD-007"] == [restores]


def test_a_suite_pytest_cannot_collect_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path / "tests" / "test_broken.py", "def broken(:\n")
    with pytest.raises(TagCollectionError, match="collecting the project's tests"):
        collect_requirement_tests(tmp_path)


def test_no_suites_means_no_tests_rather_than_an_error(tmp_path: Path) -> None:
    assert collect_requirement_tests(tmp_path) == {}


@pytest.mark.slow
def test_the_real_suites_tag_black_box_and_project_checks_apart() -> None:
    found = collect_requirement_tests(checkout_root())
    # API-013 is tagged through a module-level pytestmark with a starred tuple
    assert any(t.black_box and "test_properties.py" in t.path for t in found["API-013"])
    # a database outage needs control over the database: the project's own tests
    assert found["OPS-003"] and not any(t.black_box for t in found["OPS-003"])
