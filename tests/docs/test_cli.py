"""``refarch docs``: failures are reported as one clear message and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from refarch.cli import cli
from refarch.docsgen.generate import GenerationError, generate_reference


def test_generation_without_specs_names_the_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match="no OpenAPI documents for version 'v1'"):
        generate_reference(tmp_path / "docs", tmp_path, "v1", specs=tmp_path / "specs")


def test_build_reports_a_generation_failure_and_exits_non_zero(tmp_path: Path) -> None:
    empty_specs = tmp_path / "specs"
    (empty_specs / "requirements").mkdir(parents=True)
    (empty_specs / "requirements" / "v1.yaml").write_text("requirements: []\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["docs", "build", "--out", str(tmp_path / "site")],
        env={"REFARCH_SPECS_DIR": str(empty_specs)},
    )
    assert result.exit_code == 1
    assert "generating the reference pages failed" in result.output
    assert not (tmp_path / "site").exists()


def test_docs_commands_are_listed() -> None:
    result = CliRunner().invoke(cli, ["docs", "--help"])
    assert result.exit_code == 0
    for command in ("build", "serve", "diagrams"):
        assert command in result.output
