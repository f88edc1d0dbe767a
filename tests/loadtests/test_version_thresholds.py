"""Load thresholds come from the chosen version's specs (`refarch load --spec-version`)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from refarch.loadtests.cli import load
from refarch.loadtests.thresholds import load_thresholds, spec_slos


def test_v2_thresholds_come_from_the_v2_specs() -> None:
    v1, v2 = spec_slos("v1"), spec_slos("v2")
    # an operation only v2 has is gated only in a v2 run
    assert "listShippingMethods" in v2 and "listShippingMethods" not in v1
    assert v2["listShippingMethods"].p95_ms == 50
    # the services v2 serves from their v1 documents keep their budgets
    assert v2["listProducts"] == v1["listProducts"]
    assert v2["placeOrder"].p95_ms == 150
    assert "x-slo in the v2 specs" in load_thresholds(None, version="v2").source


def test_thresholds_for_an_operation_of_another_version_are_refused(
    tmp_path: pytest.TempPathFactory,
) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text("[operations.listShippingMethods]\np95_ms = 80\n")
    assert load_thresholds(path, version="v2").for_operation("listShippingMethods").p95_ms == 80
    with pytest.raises(Exception, match="listShippingMethods"):
        load_thresholds(path, version="v1")


def test_spec_version_is_an_option_of_refarch_load() -> None:
    result = CliRunner().invoke(load, ["--help"])
    assert "--spec-version" in result.output
