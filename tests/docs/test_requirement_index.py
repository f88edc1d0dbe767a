"""Finding the conformance tests that claim a requirement, from their source alone."""

from __future__ import annotations

from pathlib import Path

from refarch.docsgen.requirement_index import TestReference, find_requirement_tests


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_markers_on_functions_classes_and_modules_are_all_found(tmp_path: Path) -> None:
    write(
        tmp_path / "conformance" / "suite" / "test_orders.py",
        "import pytest\n"
        "pytestmark = pytest.mark.requirement('API-001')\n"
        "@pytest.mark.requirement('ORD-004', 'ORD-005')\n"
        "def test_ord_004_never_oversell():\n    pass\n"
        "class TestCancel:\n"
        "    @pytest.mark.requirement('ORD-007')\n"
        "    async def test_restores_stock_once(self):\n        pass\n",
    )
    found = find_requirement_tests(tmp_path / "conformance", tmp_path)
    path = "conformance/suite/test_orders.py"
    assert found["API-001"] == [TestReference(path, "<module>")]
    assert (
        found["ORD-004"] == found["ORD-005"] == [TestReference(path, "test_ord_004_never_oversell")]
    )
    assert found["ORD-007"] == [TestReference(path, "TestCancel::test_restores_stock_once")]


def test_strings_that_are_not_requirement_ids_and_broken_files_are_ignored(tmp_path: Path) -> None:
    write(tmp_path / "conformance" / "test_a.py", "mark.requirement('not an id')\n")
    write(tmp_path / "conformance" / "test_b.py", "def broken(:\n")
    assert find_requirement_tests(tmp_path / "conformance", tmp_path) == {}


def test_a_missing_suite_means_no_tests_rather_than_an_error(tmp_path: Path) -> None:
    assert find_requirement_tests(tmp_path / "conformance", tmp_path) == {}
