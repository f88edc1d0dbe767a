"""Chapters whose figures are computed at build time: cost, measured results, personal data."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest
import yaml

from refarch.docsgen.cost import environment_cost, render_cost
from refarch.docsgen.measured import STALE_AFTER_DAYS, render_bench
from refarch.docsgen.page_inserts import InsertError, expand
from refarch.docsgen.personal_data import find_personal_data
from refarch.docsgen.site_build import checkout_root
from tests.docs.conftest import BuiltSite

DOCS = checkout_root() / "docs"


def prices() -> dict:
    return yaml.safe_load((DOCS / "data" / "aws-prices.yaml").read_text(encoding="utf-8"))


def capacity() -> dict:
    return yaml.safe_load((DOCS / "data" / "capacity.yaml").read_text(encoding="utf-8"))


def test_each_cost_line_is_its_formula_applied_to_the_inputs() -> None:
    env = capacity()["environments"]["production"]
    lines = {line.item: line for line in environment_cost(env, capacity()["assumptions"], prices())}
    hours = prices()["hours_per_month"]
    node_hour = prices()["compute"]["instance_per_hour"][env["nodes"]["type"]]
    nodes = lines[f"EC2 nodes ({env['nodes']['count']} \u00d7 {env['nodes']['type']})"]
    assert nodes.monthly == pytest.approx(env["nodes"]["count"] * hours * node_hour)
    assert not nodes.scales_with_traffic
    egress = lines["Data transfer to the internet"]
    gb = env["requests_per_month"] * capacity()["assumptions"]["response_kb"] / 1e6
    assert egress.monthly == pytest.approx(gb * prices()["network"]["internet_egress_per_gb"])


def test_the_cost_page_moves_when_a_size_moves(tmp_path: Path) -> None:
    shutil.copytree(DOCS / "data", tmp_path / "data")
    before = render_cost(tmp_path)
    sizes = capacity()
    sizes["environments"]["production"]["nodes"]["count"] = 6
    (tmp_path / "data" / "capacity.yaml").write_text(yaml.safe_dump(sizes), encoding="utf-8")
    after = render_cost(tmp_path)
    assert "EC2 nodes (6 \u00d7" in after and after != before
    assert "2026-11-29" in after  # the snapshot date is on the page


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
