"""`refarch analytics rebuild` refuses what it cannot do, with exit 2 and a reason."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from refarch.cli import cli


def test_rebuild_names_a_missing_data_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(cli, ["analytics", "rebuild", "--data-dir", str(missing)])
    assert result.exit_code == 2
    assert f"{missing} is not a data directory" in result.output


def test_rebuild_names_an_unreachable_broker(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["analytics", "rebuild", "--data-dir", str(tmp_path)],
        env={
            "NATS_URL": "nats://127.0.0.1:1",
            "REFARCH_ADMIN_EMAIL": "",
            "REFARCH_ADMIN_PASSWORD": "",
        },
    )
    assert result.exit_code == 2, result.output
    assert "cannot connect to NATS at nats://127.0.0.1:1" in result.output
    assert "the store was left as it was" in result.output
    assert not (tmp_path / "analytics.duckdb.rebuild").exists()
