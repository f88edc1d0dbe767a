"""``--base GIT_REF``: the everyday pull-request gate, run on a real temporary git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.spec_diff.cli_run import PLANTED, run_diff


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A team's repository whose main branch has one service spec at v1."""
    root = tmp_path / "team"
    spec = root / "specs" / "openapi" / "shop" / "v1.yaml"
    spec.parent.mkdir(parents=True)
    shutil.copyfile(PLANTED / "base.yaml", spec)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "v1 of the shop API")
    return root


def _change(repo: Path, planted_file: str, *, commit: bool) -> None:
    shutil.copyfile(PLANTED / planted_file, repo / "specs" / "openapi" / "shop" / "v1.yaml")
    if commit:
        _git(repo, "checkout", "-q", "-b", "feature")
        _git(repo, "commit", "-q", "-am", "a pull request")


def test_gate_fails_a_pull_request_that_breaks_v1(repo: Path) -> None:
    _change(repo, "breaking/response-property-removed.yaml", commit=True)

    result = run_diff("--base", "main", "--specs-dir", "specs", "--fail-on", "breaking", cwd=repo)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "main:specs/openapi/shop/v1.yaml -> specs/openapi/shop/v1.yaml" in result.stdout
    assert "response-property-removed" in result.stdout


def test_gate_passes_a_pull_request_that_only_adds(repo: Path) -> None:
    _change(repo, "additive/operation-added.yaml", commit=True)

    result = run_diff("--base", "main", "--specs-dir", "specs", "--fail-on", "breaking", cwd=repo)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "operation-added" in result.stdout


def test_uncommitted_changes_in_the_working_tree_are_compared(repo: Path) -> None:
    _change(repo, "breaking/request-enum-value-removed.yaml", commit=False)

    result = run_diff("--base", "HEAD", "--specs-dir", "specs", "--fail-on", "breaking", cwd=repo)

    assert result.returncode == 1
    assert "request-enum-value-removed" in result.stdout


def test_a_new_major_version_beside_v1_is_not_a_break(repo: Path) -> None:
    v2 = repo / "specs" / "openapi" / "shop" / "v2.yaml"
    v2.write_text(
        (PLANTED / "breaking" / "operation-removed.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )

    result = run_diff(
        "--base",
        "main",
        "--specs-dir",
        "specs",
        "--fail-on",
        "breaking",
        "--format",
        "json",
        cwd=repo,
    )

    assert result.returncode == 0, result.stderr
    pairs = json.loads(result.stdout)["pairs"]
    assert [(p["new"], p["changes"]) for p in pairs] == [("specs/openapi/shop/v1.yaml", [])]


def test_deleting_a_served_spec_removes_every_operation(repo: Path) -> None:
    (repo / "specs" / "openapi" / "shop" / "v1.yaml").unlink()

    result = run_diff(
        "--base",
        "main",
        "--specs-dir",
        "specs",
        "--fail-on",
        "breaking",
        "--format",
        "json",
        cwd=repo,
    )

    assert result.returncode == 1
    changes = json.loads(result.stdout)["pairs"][0]["changes"]
    assert {(c["rule"], c["operation"]) for c in changes} == {
        ("operation-removed", "GET /items"),
        ("operation-removed", "POST /items"),
        ("operation-removed", "GET /items/{id}"),
    }


def test_an_unknown_ref_exits_2_and_says_what_to_pass(repo: Path) -> None:
    result = run_diff("--base", "origin/nope", "--specs-dir", "specs", cwd=repo)

    assert result.returncode == 2
    assert "unknown git ref 'origin/nope'" in result.stderr


def test_outside_a_git_repository_exits_2(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()

    result = run_diff("--base", "main", "--specs-dir", "specs", cwd=tmp_path)

    assert result.returncode == 2
    assert "is not in one" in result.stderr
