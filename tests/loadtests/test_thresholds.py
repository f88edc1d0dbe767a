"""Threshold resolution: the spec's x-slo is the default, a TOML file overrides it field by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from refarch import specs
from refarch.loadtests.errors import CannotRun
from refarch.loadtests.thresholds import DEFAULT_OVERALL, Limits, load_thresholds


def spec_slo(operation_id: str) -> dict[str, float]:
    return next(
        op.spec["x-slo"] for op in specs.operations("v1") if op.operation_id == operation_id
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thresholds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_file_every_operation_gets_its_x_slo_budget() -> None:
    thresholds = load_thresholds(None)
    for operation in specs.operations("v1"):
        slo = operation.spec["x-slo"]
        assert thresholds.for_operation(operation.operation_id) == Limits(
            p95_ms=slo["p95_ms"], p99_ms=slo["p99_ms"], max_error_ratio=slo["max_error_ratio"]
        )
    assert thresholds.overall == DEFAULT_OVERALL
    assert "x-slo" in thresholds.source


def test_a_file_overrides_only_the_fields_it_names(tmp_path: Path) -> None:
    path = write(tmp_path, "[operations.listProducts]\np95_ms = 999\nmin_rps = 5\n")
    limits = load_thresholds(path).for_operation("listProducts")
    assert limits.p95_ms == 999
    assert limits.min_rps == 5
    assert limits.p99_ms == spec_slo("listProducts")["p99_ms"]
    assert limits.max_error_ratio == spec_slo("listProducts")["max_error_ratio"]


def test_overall_and_regression_margins_come_from_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[overall]\nmin_rps = 20\np99_ms = 800\n[regression]\np95_absolute_ms = 150\nmin_samples = 50\n",
    )
    thresholds = load_thresholds(path)
    assert thresholds.overall == Limits(
        p99_ms=800, min_rps=20, max_error_ratio=DEFAULT_OVERALL.max_error_ratio
    )
    assert thresholds.regression.p95_absolute_ms == 150
    assert thresholds.regression.min_samples == 50
    assert thresholds.regression.p95_relative == 0.25  # untouched default


def test_the_packaged_example_is_a_valid_thresholds_file() -> None:
    example = Path(__file__).parents[2] / "loadtests" / "thresholds.example.toml"
    thresholds = load_thresholds(example)
    assert thresholds.for_operation("placeOrder").max_error_ratio == 0.005


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[operations.listProdcuts]\np95_ms = 10\n", "operationId 'listProdcuts'"),
        ("[operations.listProducts]\np95 = 10\n", "unknown key(s) p95"),
        ("[overal]\np95_ms = 10\n", "unknown key(s) overal"),
        ("[overall]\nmax_error_ratio = 5\n", "between 0 and 1"),
        ("[overall]\np95_ms = 'fast'\n", "p95_ms must be a number"),
        ("[regression]\nmin_samples = 0\n", "min_samples must be a whole number"),
        ("[overall\np95_ms = 10\n", "not valid TOML"),
    ],
)
def test_a_wrong_file_cannot_silently_switch_a_gate_off(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(CannotRun, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_thresholds(write(tmp_path, text))


def test_a_missing_file_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(CannotRun, match="does not exist"):
        load_thresholds(tmp_path / "nope.toml")


def test_every_operation_sits_between_x_slo_and_per_operation_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[every_operation]\np95_ms = 700\n[operations.getProduct]\np95_ms = 100\n",
    )
    thresholds = load_thresholds(path)
    assert thresholds.for_operation("listProducts").p95_ms == 700
    assert thresholds.for_operation("getProduct").p95_ms == 100
    assert thresholds.for_operation("listProducts").p99_ms == spec_slo("listProducts")["p99_ms"]
