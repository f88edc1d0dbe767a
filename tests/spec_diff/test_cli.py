"""The diff's command line: formats, the --fail-on gate and clear exit-2 errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.spec_diff.cli_run import FIXTURES, PLANTED, planted, run_diff

BASE = str(PLANTED / "base.yaml")


@pytest.mark.parametrize("pair", planted("breaking"), ids=lambda p: p.stem)
def test_gate_fails_every_planted_breaking_change_and_names_its_rule(pair: Path) -> None:
    result = run_diff(BASE, str(pair), "--fail-on", "breaking", "--format", "json")

    assert result.returncode == 1, result.stdout + result.stderr
    changes = json.loads(result.stdout)["pairs"][0]["changes"]
    assert pair.stem in {c["rule"] for c in changes if c["severity"] == "breaking"}
    assert "the same major version gained a breaking change" in result.stderr


@pytest.mark.parametrize("pair", planted("additive"), ids=lambda p: p.stem)
def test_gate_passes_every_planted_additive_change_and_still_reports_it(pair: Path) -> None:
    result = run_diff(BASE, str(pair), "--fail-on", "breaking", "--format", "json")

    assert result.returncode == 0, result.stdout + result.stderr
    changes = json.loads(result.stdout)["pairs"][0]["changes"]
    assert {c["rule"] for c in changes} == {pair.stem}
    assert {c["severity"] for c in changes} == {"non-breaking"}


def test_without_fail_on_a_breaking_change_is_reported_and_exits_0() -> None:
    result = run_diff(BASE, str(PLANTED / "breaking" / "operation-removed.yaml"))

    assert result.returncode == 0
    assert "operation-removed" in result.stdout
    assert "GET /items/{id}" in result.stdout
    assert "clients calling this operation now get 404 or 405" in result.stdout


def test_markdown_is_a_table_for_a_pull_request_comment() -> None:
    result = run_diff(
        BASE,
        str(PLANTED / "breaking" / "request-property-added-required.yaml"),
        "--format",
        "markdown",
    )

    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert "| severity | rule | operation | change | who breaks and how |" in lines
    row = next(line for line in lines if "`request-property-added-required`" in line)
    assert row.startswith("| breaking | ")
    assert "POST /items" in row
    assert "clients that do not send it get 422" in row


def test_a_major_version_bump_reports_breaks_but_does_not_fail_the_gate(tmp_path: Path) -> None:
    text = (PLANTED / "breaking" / "operation-removed.yaml").read_text(encoding="utf-8")
    v2 = tmp_path / "v2.yaml"
    v2.write_text(text.replace("version: 1.0.0", "version: 2.0.0"), encoding="utf-8")

    result = run_diff(BASE, str(v2), "--fail-on", "breaking")

    assert result.returncode == 0, result.stderr
    assert "major version 1 -> 2: breaking changes expected" in result.stdout
    assert "operation-removed" in result.stdout


def test_fail_on_deprecation_also_fails_on_a_deprecated_operation(tmp_path: Path) -> None:
    text = (PLANTED / "base.yaml").read_text(encoding="utf-8")
    deprecated = tmp_path / "deprecated.yaml"
    deprecated.write_text(
        text.replace("operationId: getItem", "operationId: getItem\n      deprecated: true"),
        encoding="utf-8",
    )

    on_breaking = run_diff(BASE, str(deprecated), "--fail-on", "breaking")
    on_deprecation = run_diff(BASE, str(deprecated), "--fail-on", "deprecation")

    assert on_breaking.returncode == 0
    assert on_deprecation.returncode == 1
    assert "operation-deprecated" in on_deprecation.stdout


def test_openapi_30_and_31_spellings_of_one_api_have_no_differences() -> None:
    dialects = FIXTURES / "dialects"
    result = run_diff(
        str(dialects / "shop-3.0.yaml"), str(dialects / "shop-3.1.yaml"), "--fail-on", "breaking"
    )

    assert result.returncode == 0, result.stdout
    assert "0 breaking, 0 deprecation, 0 non-breaking" in result.stdout


def test_changes_inside_a_referenced_file_are_found_and_located() -> None:
    dialects = FIXTURES / "dialects"
    result = run_diff(
        str(dialects / "shop-3.1.yaml"),
        str(dialects / "shop-3.1-narrowed.yaml"),
        "--format",
        "json",
    )

    changes = json.loads(result.stdout)["pairs"][0]["changes"]
    assert {(c["rule"], c["location"].rsplit("/", 1)[-1]) for c in changes} == {
        ("response-minimum-widened", "discount"),
        ("response-type-narrowed", "note"),
    }
    assert all(c["operation"] == "GET /categories/{category_id}" for c in changes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("a: [unclosed", "neither valid YAML nor JSON"),
        ("swagger: '2.0'\ninfo: {}\n", "convert it to OpenAPI 3.0 or 3.1"),
        ("title: not a spec\n", "not an OpenAPI 3.0/3.1 document (no `openapi:` field)"),
        (
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n"
            "          $ref: '#/components/responses/Missing'\n",
            "points at nothing",
        ),
    ],
    ids=["missing file", "broken YAML", "swagger 2", "not OpenAPI", "dangling $ref"],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, content: str | None, message: str
) -> None:
    new = tmp_path / "new.yaml"
    if content is not None:
        new.write_text(content, encoding="utf-8")

    result = run_diff(BASE, str(new), "--fail-on", "breaking")

    assert result.returncode == 2
    assert result.stderr.startswith("refarch specs diff: cannot compare: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_one_file_without_base_is_a_usage_error() -> None:
    result = run_diff(BASE)

    assert result.returncode == 2
    assert "expected OLD and NEW files (got 1), or --base GIT_REF" in result.stderr


def test_a_shared_schema_change_is_one_row_naming_every_operation_it_reaches() -> None:
    result = run_diff(
        BASE, str(PLANTED / "additive" / "response-property-added.yaml"), "--format", "markdown"
    )

    rows = [line for line in result.stdout.splitlines() if "`response-property-added`" in line]
    # the item itself in two operations' responses, and inside GET /items' array
    assert len(rows) == 2
    single = next(row for row in rows if "GET /items/{id}, POST /items" in row)
    assert (
        "`/responses/{200,201}/content/application~1json/schema/properties/description`" in single
    )
    assert any("/schema/items/properties/description" in row for row in rows)


def test_unquoted_status_codes_compare_like_quoted_ones(tmp_path: Path) -> None:
    unquoted = tmp_path / "unquoted.yaml"
    unquoted.write_text(
        (PLANTED / "base.yaml").read_text(encoding="utf-8").replace("'200':", "200:"),
        encoding="utf-8",
    )

    result = run_diff(BASE, str(unquoted), "--fail-on", "breaking")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 breaking, 0 deprecation, 0 non-breaking" in result.stdout


def test_a_json_document_compares_with_its_yaml_original(tmp_path: Path) -> None:
    import yaml

    as_json = tmp_path / "base.json"
    as_json.write_text(json.dumps(yaml.safe_load(Path(BASE).read_text(encoding="utf-8"))))

    result = run_diff(BASE, str(as_json), "--fail-on", "breaking")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 breaking, 0 deprecation, 0 non-breaking" in result.stdout
