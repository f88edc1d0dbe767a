"""``refarch specs check`` as a user runs it: a real process, its output and exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec_checks.conftest import SHOP, SpecTree
from tests.support.postgres import TestPostgres

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REFARCH_SPECS_DIR")}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-c", "from refarch.cli import main; main()", "specs", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=180,
    )


@pytest.mark.slow
def test_minimal_specs_pass_with_exit_0_on_a_temporary_embedded_server(
    spec_tree: SpecTree,
) -> None:
    result = run_cli("--specs-dir", str(spec_tree.root))

    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "[5/5] Database: apply migrations twice, schema and foreign key rules ... ok"
        in result.stdout
    )
    assert result.stdout.rstrip().endswith("specs check passed: 5 phases clean")


def test_a_problem_is_printed_with_location_rule_and_hint_and_exits_1(
    spec_tree: SpecTree,
) -> None:
    text = spec_tree.path(SHOP).read_text(encoding="utf-8")
    spec_tree.write(SHOP, text.replace("\n      operationId: deleteWidget\n", "\n"))
    line = spec_tree.line_of(SHOP, "delete:")

    result = run_cli("--specs-dir", str(spec_tree.root), "--no-database")

    assert result.returncode == 1, result.stdout + result.stderr
    shop = spec_tree.path(SHOP).resolve()
    assert (
        f"{shop}:{line}:5: OAS101 DELETE /widgets/{{widget_id}}: no operationId\n" in result.stdout
    )
    assert "    hint: add `operationId: verbNoun` (camelCase)" in result.stdout
    assert (
        "[5/5] Database: apply migrations twice, schema and foreign key rules ... skipped (--no-database)"
        in result.stdout
    )
    # the operationId is gone, so the link to it (OAS122) and its requirement (REQ005) break too
    assert "specs check failed: 3 problems in 2 files (OAS101 x1, OAS122 x1, REQ005 x1)" in (
        result.stdout
    )


def test_json_format_is_one_parseable_document(spec_tree: SpecTree, postgres: TestPostgres) -> None:
    spec_tree.write(
        "sql/shop/V002__bad.sql", "CREATE TABLE shop.x (id INT REFERENCES shop.nope (id));\n"
    )

    result = run_cli(
        "--specs-dir", str(spec_tree.root), "--format", "json", database_url=postgres.url
    )

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [f["rule"] for f in report["findings"]] == ["DB001"]
    assert report["findings"][0]["path"].endswith("sql/shop/V002__bad.sql")


def test_missing_specs_dir_exits_2_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    result = run_cli("--specs-dir", str(tmp_path / "nowhere"))

    assert result.returncode == 2
    assert "cannot run: specs directory" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unknown_version_exits_2(spec_tree: SpecTree) -> None:
    result = run_cli("--specs-dir", str(spec_tree.root), "--version", "v9", "--no-database")

    assert result.returncode == 2
    assert "no OpenAPI documents for version v9" in result.stderr


@pytest.mark.slow
def test_the_repository_specs_pass(postgres: TestPostgres) -> None:
    result = run_cli(database_url=postgres.url)

    assert result.returncode == 0, result.stdout + result.stderr
    # the repository also declares events: the AsyncAPI parser and the ASY rules add 2 phases
    assert "specs check passed: 7 phases clean" in result.stdout


def test_unreachable_database_server_exits_2_without_showing_the_password(
    spec_tree: SpecTree,
) -> None:
    unreachable = "postgresql://checker:s3cret-pw@127.0.0.1:1/postgres"

    result = run_cli("--specs-dir", str(spec_tree.root), database_url=unreachable)

    assert result.returncode == 2
    assert "cannot connect to postgresql://checker:***@127.0.0.1:1" in result.stderr
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
