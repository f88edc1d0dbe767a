"""Chapters whose figures are computed at build time: cost, measured results, personal data."""

from __future__ import annotations

import datetime
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from refarch.docsgen.cost import (
    MissingPrice,
    environment_cost,
    load_cost_inputs,
    money,
    render_cost,
)
from refarch.docsgen.deploy_pages import render_deployment_resources
from refarch.docsgen.measured import STALE_AFTER_DAYS, render_bench
from refarch.docsgen.page_inserts import InsertError, expand
from refarch.docsgen.personal_data import find_personal_data
from refarch.docsgen.site_build import checkout_root
from tests.docs.conftest import BuiltSite

DOCS = checkout_root() / "docs"


REPO = checkout_root()


def _repo_copy(tmp_path: Path) -> Path:
    """The three cost inputs in a scratch repository, to change one without touching ours."""
    copy = tmp_path / "repo"
    shutil.copytree(DOCS / "data", copy / "docs" / "data")
    (copy / "deploy").mkdir()
    shutil.copy(REPO / "deploy" / "capacity.yaml", copy / "deploy" / "capacity.yaml")
    (copy / "deploy" / "terraform").symlink_to(REPO / "deploy" / "terraform")
    return copy


def _edit_yaml(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_each_cost_line_is_its_formula_applied_to_the_inputs() -> None:
    inputs = load_cost_inputs(REPO)
    plan = inputs.capacity["environments"]["production"]
    traffic = inputs.assumptions["environments"]["production"]
    lines = {line.item.split(" (")[0]: line for line in environment_cost(inputs, "production")}
    hours = inputs.prices["hours_per_month"]
    node_hour = inputs.prices["compute"]["instance_per_hour"][plan["node_instance_type"]]
    nodes = lines["EC2 nodes"]
    assert nodes.monthly == pytest.approx(plan["nodes_min"] * hours * node_hour)
    assert nodes.resource == "aws_eks_node_group.app" and not nodes.scales_with_traffic
    nat = lines["NAT gateways"]
    zones = len(inputs.capacity["zones"])  # one NAT gateway per zone of the capacity plan
    assert nat.monthly == pytest.approx(
        zones * hours * inputs.prices["network"]["nat_gateway_per_hour"]
        + inputs.assumptions["nat_gb_per_month"] * inputs.prices["network"]["nat_per_gb_processed"]
    )
    egress = lines["Data transfer to the internet"]
    gb = traffic["requests_per_month"] * inputs.assumptions["response_kb"] / 1e6
    assert egress.monthly == pytest.approx(gb * inputs.prices["network"]["internet_egress_per_gb"])
    assert egress.scales_with_traffic and egress.resource is None


def test_the_prices_are_for_the_region_the_capacity_plan_deploys_to() -> None:
    inputs = load_cost_inputs(REPO)
    assert inputs.prices["region"] == inputs.capacity["region"] == "eu-west-1"
    for plan in inputs.capacity["environments"].values():
        assert plan["node_instance_type"] in inputs.prices["compute"]["instance_per_hour"]
        assert plan["db_instance_class"] in inputs.prices["database"]["instance_per_hour"]


def test_a_size_without_a_price_fails_the_build_by_name(tmp_path: Path) -> None:
    copy = _repo_copy(tmp_path)
    text = (copy / "deploy" / "capacity.yaml").read_text(encoding="utf-8")
    (copy / "deploy" / "capacity.yaml").write_text(
        text.replace("node_instance_type: m7i.xlarge", "node_instance_type: m7i.2xlarge"),
        encoding="utf-8",
    )
    with pytest.raises(MissingPrice, match=r"no price for EC2 m7i\.2xlarge .*eu-west-1"):
        render_cost(copy / "docs")
    with pytest.raises(MissingPrice, match=r"m7i\.2xlarge"):
        render_deployment_resources(copy)


def test_prices_for_another_region_fail_the_build(tmp_path: Path) -> None:
    copy = _repo_copy(tmp_path)
    _edit_yaml(copy / "docs" / "data" / "aws-prices.yaml", lambda p: p.update(region="us-east-1"))
    with pytest.raises(MissingPrice, match=r"deploys to eu-west-1 but .* prices us-east-1"):
        render_cost(copy / "docs")


def test_a_size_moved_in_the_capacity_plan_moves_the_cost_page_and_the_resource_table(
    tmp_path: Path,
) -> None:
    copy = _repo_copy(tmp_path)
    cost_before, table_before = render_cost(copy / "docs"), render_deployment_resources(copy)
    _edit_yaml(
        copy / "deploy" / "capacity.yaml",
        lambda c: c["environments"]["production"].update(nodes_min=6),
    )
    cost_after, table_after = render_cost(copy / "docs"), render_deployment_resources(copy)
    node_hour = load_cost_inputs(REPO).prices["compute"]["instance_per_hour"]["m7i.xlarge"]
    six_nodes = money(6 * 730 * node_hour, "USD")
    assert "EC2 nodes (6 \u00d7 m7i.xlarge" in cost_after
    assert six_nodes in cost_after
    assert six_nodes not in cost_before
    assert six_nodes in table_after and six_nodes not in table_before
    assert "2026-11-29" in cost_after  # the snapshot date is on the page


def test_the_resource_tables_totals_equal_the_cost_chapters() -> None:
    inputs = load_cost_inputs(REPO)
    page = render_deployment_resources(REPO)
    header = next(line for line in page.splitlines() if line.startswith("| module |"))
    total_row = next(line for line in page.splitlines() if line.startswith("| **total** |"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    cells = [cell.strip() for cell in total_row.strip("|").split("|")]
    chapter = render_cost(DOCS)
    for environment in inputs.capacity["environments"]:
        total = sum(line.monthly for line in environment_cost(inputs, environment))
        assert cells[columns.index(f"{environment} a month")] == f"**{money(total, 'USD')}**"
        section = chapter.split(f"### {environment.capitalize()}")[1].split("###")[0]
        assert f"**total** |  | **{money(total, 'USD')}**" in section
    # and every cost line lands on a row: the rows of one column add up to its total
    month = columns.index("production a month")
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in page.splitlines()
        if line.startswith("| ") and not line.startswith(("| module", "| **total**"))
    ]
    amounts = [
        float(row[month].removesuffix("&nbsp;USD").replace("&nbsp;", ""))
        for row in rows
        if len(row) == len(columns) and row[month].endswith("USD")
    ]
    expected = sum(line.monthly for line in environment_cost(inputs, "production"))
    assert sum(amounts) == pytest.approx(expected, abs=0.01 * len(amounts))


def test_a_missing_results_file_shows_on_the_page(tmp_path: Path) -> None:
    assert 'failure "No measured figures: docs/results/bench.json is missing"' in render_bench(
        tmp_path
    )


def test_old_results_carry_a_warning_and_fresh_ones_do_not(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    data = json.loads((DOCS / "results" / "bench.json").read_text(encoding="utf-8"))
    (tmp_path / "results" / "bench.json").write_text(json.dumps(data), encoding="utf-8")
    measured = datetime.date.fromisoformat(data["measured_at"][:10])
    fresh = render_bench(tmp_path, today=measured + datetime.timedelta(days=1))
    old = render_bench(tmp_path, today=measured + datetime.timedelta(days=STALE_AFTER_DAYS + 1))
    assert "days old" not in fresh and f"{data['machine']}" in fresh
    assert f"These figures are {STALE_AFTER_DAYS + 1} days old" in old
    assert f"{data['cases'][0]['throughput_ratio']:.2f}" in fresh


def test_an_unknown_marker_fails_by_name() -> None:
    with pytest.raises(InsertError, match="refarch:no-such-table"):
        expand("text <!-- refarch:no-such-table --> text", DOCS, "page.md")


def test_personal_data_is_found_in_the_schemas() -> None:
    found = find_personal_data()
    assert "users.users.email" in found["email address"]["stored"]
    assert "users.users.phone" in found["phone number"]["stored"]
    assert "orders.orders.shipping_address" in found["postal address"]["stored"]
    assert any(a.endswith("first_name") for a in found["name"]["api"])
    # product and category names are not personal data
    assert not any("catalog" in s for kind in found.values() for s in kind["stored"])


def test_built_chapters_show_the_results_files_not_typed_figures(built_site: BuiltSite) -> None:
    bench = json.loads((DOCS / "results" / "bench.json").read_text(encoding="utf-8"))
    scalability = built_site.page("architecture/scalability.html")
    assert "refarch:" not in scalability  # every marker was replaced
    assert f"Measured {bench['measured_at'][:10]}" in scalability
    assert "docs/results/bench.json" in built_site.page("architecture/quality.html")
    assert "personal data" in built_site.page("architecture/privacy.html")


def test_requirements_page_tells_black_box_from_project_tests(built_site: BuiltSite) -> None:
    page = (built_site.root / "docs" / "reference" / "v1" / "requirements.md").read_text("utf-8")
    sections = {s.split(" ", 1)[0]: s for s in page.split("\n### ")[1:]}
    assert "Verified by the conformance suite (black-box)" in sections["API-013"]
    assert "test_properties.py" in sections["API-013"]  # tagged via pytestmark = [...(*IDS)]
    assert "Verified by the project's own tests" in sections["OPS-003"]
    assert "no test yet" not in sections["OPS-003"]


def test_every_key_page_of_the_screenshot_set_exists(built_site: BuiltSite) -> None:
    from refarch.docsgen.screenshots import KEY_PAGES

    for name, relative in KEY_PAGES.items():
        path, _, anchor = relative.partition("#")
        html = built_site.page(path)
        assert not anchor or f'id="{anchor}"' in html, name


def test_every_operation_still_names_every_status_it_can_answer(built_site: BuiltSite) -> None:
    from refarch.specs import operations

    for service in ("users", "catalog", "orders"):
        page = (built_site.root / "docs" / "reference" / "v1" / "api" / f"{service}.md").read_text(
            "utf-8"
        )
        assert "{ #common-responses }" in page
        sections = {s.split(" ", 1)[0]: s for s in page.split("\n### ")[1:]}
        for op in operations("v1", (service,)):
            for status in op.spec["responses"]:
                assert f"`{status}`" in sections[op.operation_id], (op.operation_id, status)
