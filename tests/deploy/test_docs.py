"""The deployment docs point at real files and say what the code says."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from deploy.kustomize import render
from refarch.docsgen.cost import environment_cost, load_cost_inputs
from refarch.docsgen.deploy_pages import render_deployment_resources, scan_modules
from tests.deploy.facts import DEPLOY, ENVIRONMENTS, REPO, load_capacity
from tests.deploy.kubernetes_checks import find
from tests.deploy.terraform_model import load_module

CHAPTER = REPO / "docs" / "architecture" / "deployment.md"
GUIDE = REPO / "docs" / "guides" / "deploy-aws.md"


def _expand(path: str) -> list[str]:
    """`a/{b,c}/d` -> a/b/d, a/c/d"""
    parts = re.split(r"\{([^}]*)\}", path)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def test_every_deploy_path_in_the_chapter_exists() -> None:
    paths = re.findall(r"`(deploy/[^`\s]+)`", CHAPTER.read_text(encoding="utf-8"))
    assert len(paths) >= 5
    for path in paths:
        for concrete in _expand(path):
            assert (REPO / concrete).exists(), (
                f"{CHAPTER.name} names {concrete}, which does not exist"
            )


def test_the_guide_says_first_that_it_was_not_run() -> None:
    lines = [line for line in GUIDE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[1].startswith("**These commands have not been run.**")


def test_the_guides_secret_has_the_keys_the_deployment_reads() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert block is not None
    guide_keys = set(json.loads(block.group(1)))
    for environment in ENVIRONMENTS:
        deployment = find(
            render(DEPLOY / "k8s" / "overlays" / environment), "Deployment", "refarch-app"
        )
        spec = deployment["spec"]["template"]["spec"]
        referenced = {
            entry["valueFrom"]["secretKeyRef"]["key"]
            for container in spec["containers"] + spec["initContainers"]
            for entry in container.get("env", [])
            if "secretKeyRef" in entry.get("valueFrom", {})
        }
        assert referenced == guide_keys
        for key in guide_keys:  # and the guide writes each into the Kubernetes Secret
            assert f"--from-literal={key}=" in text


def test_the_generated_table_lists_every_resource_with_the_plans_sizes() -> None:
    page = render_deployment_resources(REPO)
    resources = scan_modules(DEPLOY / "terraform")
    assert len(resources) > 50
    for resource in resources:
        assert f"`{resource.kind}.{resource.name}`" in page
    for plan in load_capacity()["environments"].values():
        assert plan["db_instance_class"] in page
        assert f"{plan['nodes_min']}-{plan['nodes_max']} x {plan['node_instance_type']}" in page


def test_the_generated_table_follows_the_capacity_file(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    (copy / "deploy").mkdir(parents=True)
    (copy / "deploy" / "terraform").symlink_to(DEPLOY / "terraform")
    (copy / "docs").symlink_to(REPO / "docs")  # the cost model's prices and assumptions
    text = (DEPLOY / "capacity.yaml").read_text().replace("db.m7g.large", "db.t4g.medium")
    text = text.replace("db_allocated_storage_gb: 100", "db_allocated_storage_gb: 321")
    (copy / "deploy" / "capacity.yaml").write_text(text)
    assert "321-1000 GB" not in render_deployment_resources(REPO)
    assert "db.t4g.medium, Multi-AZ, PostgreSQL 18, 321-1000 GB" in render_deployment_resources(
        copy
    )


def test_every_cost_line_names_a_resource_the_modules_create() -> None:
    addresses = {f"{r.kind}.{r.name}" for r in scan_modules(DEPLOY / "terraform")}
    inputs = load_cost_inputs(REPO)
    for environment in ENVIRONMENTS:
        for line in environment_cost(inputs, environment):
            assert line.resource is None or line.resource in addresses, line


def test_the_sizes_the_cost_model_reads_agree_with_the_terraform() -> None:
    """node_disk_gb and db_multi_az are set in the modules, not passed from the stacks."""
    capacity = load_capacity()
    cluster = load_module(DEPLOY / "terraform" / "modules" / "cluster")
    (device,) = cluster.resources[("aws_launch_template", "node")]["block_device_mappings"]
    assert device["ebs"][0]["volume_size"] == capacity["node_disk_gb"]
    database = load_module(DEPLOY / "terraform" / "modules" / "database")
    assert database.resources[("aws_db_instance", "this")]["multi_az"] == capacity["db_multi_az"]


def test_the_cost_assumptions_count_what_the_terraform_creates() -> None:
    assumptions = load_cost_inputs(REPO).assumptions
    edge = load_module(DEPLOY / "terraform" / "modules" / "edge")
    for acl, rules in assumptions["waf_rules"].items():
        assert len(edge.resources[("aws_wafv2_web_acl", acl)]["rule"]) == rules, acl
    secrets = load_module(DEPLOY / "terraform" / "modules" / "secrets")
    database = load_module(DEPLOY / "terraform" / "modules" / "database")
    created = sum(1 for kind, _ in secrets.resources if kind == "aws_secretsmanager_secret")
    managed = database.resources[("aws_db_instance", "this")]["manage_master_user_password"]
    assert assumptions["secrets"] == created + int(managed)
    keys = sum(1 for kind, _ in secrets.resources if kind == "aws_kms_key")
    assert assumptions["kms_keys"] == keys
