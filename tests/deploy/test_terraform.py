"""The Terraform stacks agree with the specs, the serve flags and the capacity plan, and
every environment is the same platform module under another name and state.

Each check runs on the real stacks and, to show it can fail, on a copy with one planted
mistake (a /metrics rule on the load balancer, a public database, a size that is not the
plan's, ...).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import hcl2
import pytest

from tests.deploy.facts import DEPLOY, ENVIRONMENTS, REPO, load_capacity
from tests.deploy.terraform_checks import (
    alb_problems,
    database_exposure_problems,
    secret_store_problems,
    sizing_problems,
)
from tests.deploy.terraform_model import Stack, load_module, load_stack, parse_file

TERRAFORM = DEPLOY / "terraform"
CHECKS: dict[str, Callable[[Stack], list[str]]] = {
    "alb": alb_problems,
    "database": database_exposure_problems,
    "sizing": sizing_problems,
    "secrets": secret_store_problems,
}


def test_every_terraform_file_parses() -> None:
    files = sorted(TERRAFORM.rglob("*.tf"))
    assert len(files) > 10
    for path in files:
        with path.open(encoding="utf-8") as handle:
            hcl2.load(handle)


LAYERS = {"network", "cluster", "database", "edge", "secrets"}


def test_each_environment_calls_the_platform_which_calls_every_layer_and_no_more() -> None:
    modules = {p.name for p in (TERRAFORM / "modules").iterdir() if p.is_dir()}
    assert modules == LAYERS | {"platform"}
    for environment in ENVIRONMENTS:
        stack = load_stack(TERRAFORM, environment, load_capacity())
        assert set(stack.root.modules) == {"platform"}, environment
        assert not stack.root.resources and not stack.platform.resources, environment
        assert set(stack.modules) == LAYERS, environment
        # the sizes the checks resolve are the ones of the environment the root names
        assert stack.root.locals["environment"] == environment
        assert stack.root.modules["platform"]["environment"] == "${local.environment}"
        assert stack.platform.locals["plan"] == "${local.capacity.environments[var.environment]}"


def test_an_environment_root_holds_only_its_name_and_its_state() -> None:
    """Everything else the roots share is one file (shared/root.tf) that each links to,
    so the environments cannot drift apart."""
    shared = TERRAFORM / "environments" / "shared" / "root.tf"
    for environment in ENVIRONMENTS:
        root = TERRAFORM / "environments" / environment
        assert sorted(p.name for p in root.glob("*.tf")) == ["main.tf", "root.tf"], environment
        assert (root / "root.tf").resolve() == shared.resolve(), environment
        own = parse_file(root / "main.tf")
        assert set(own) == {"terraform", "locals"}, environment
        assert own["terraform"] == [{"backend": [{"s3": {}}]}], environment
        assert load_module(root).locals["environment"] == environment


def test_every_value_the_guide_reads_after_apply_is_an_output_of_the_root() -> None:
    guide = (REPO / "docs" / "guides" / "deploy-aws.md").read_text(encoding="utf-8")
    read = set(re.findall(r"terraform output -raw (\w+)", guide))
    assert len(read) >= 5, "expected the guide to read the stack's outputs"
    handles = parse_file(TERRAFORM / "modules" / "platform" / "outputs.tf")["output"]
    handle_names = {name for block in handles for name in block["handles"]["value"]}
    for environment in ENVIRONMENTS:
        root = parse_file(TERRAFORM / "environments" / environment / "root.tf")
        outputs = {name: body["value"] for block in root["output"] for name, body in block.items()}
        assert read <= set(outputs), environment
        for name in read:  # and each is passed up from the platform under its own name
            assert outputs[name] == f"${{module.platform.handles.{name}}}", name
            assert name in handle_names, name


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("check", sorted(CHECKS))
def test_the_stack_is_consistent(environment: str, check: str) -> None:
    stack = load_stack(TERRAFORM, environment, load_capacity())
    assert CHECKS[check](stack) == []


def test_every_checkov_skip_is_beside_its_resource_with_a_reason() -> None:
    skips = [s for path in TERRAFORM.rglob("*") if path.is_dir() for s in load_module(path).skips]
    assert skips, "expected the reviewed skips to be found"
    for skip in skips:
        assert re.fullmatch(r"CKV2?_[A-Z]+_\d+:.{30,}", skip), f"a skip needs a reason: {skip}"


# --- the same checks on deliberately broken copies ----------------------------------------

METRICS_RULE = """
resource "aws_lb_listener_rule" "metrics" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 20
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
  condition {
    path_pattern {
      values = ["/metrics"]
    }
  }
}
"""
OPEN_DATABASE_RULE = """
resource "aws_vpc_security_group_ingress_rule" "anywhere" {
  security_group_id = aws_security_group.database.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
}
"""
SECRET_VALUE = """
resource "aws_secretsmanager_secret_version" "app" {
  secret_id     = aws_secretsmanager_secret.app.id
  secret_string = "{}"
}
"""

BROKEN: dict[str, tuple[str, str, str, str, str]] = {
    # name: (file, old text, new text, check, expected words in a problem)
    "metrics-forwarded": ("modules/edge/alb.tf", "", METRICS_RULE, "alb", "/metrics"),
    "every-path-forwarded": (
        "modules/edge/alb.tf",
        'values = ["${var.api_path_prefix}/*"]',
        'values = ["/*"]',
        "alb",
        "forwards '/*'",
    ),
    "liveness-as-health-check": (
        "modules/platform/main.tf",
        'health_check_path = "/api/v1/ready"',
        'health_check_path = "/api/v1/health"',
        "alb",
        "not the readiness operation",
    ),
    "public-database": (
        "modules/database/main.tf",
        "publicly_accessible    = false",
        "publicly_accessible    = true",
        "database",
        "publicly accessible",
    ),
    "database-open-to-addresses": (
        "modules/database/main.tf",
        "",
        OPEN_DATABASE_RULE,
        "database",
        "admits addresses",
    ),
    "database-with-internet-route": (
        "modules/network/main.tf",
        'resource "aws_route_table" "database" {\n  vpc_id = aws_vpc.this.id\n',
        'resource "aws_route_table" "database" {\n  vpc_id = aws_vpc.this.id\n'
        '  route {\n    cidr_block = "0.0.0.0/0"\n'
        "    gateway_id = aws_internet_gateway.this.id\n  }\n",
        "database",
        "has routes out",
    ),
    "hard-coded-size": (
        "modules/platform/main.tf",
        "instance_class           = local.plan.db_instance_class",
        'instance_class           = "db.r7g.4xlarge"',
        "sizing",
        "the capacity plan says 'db.t4g.medium'",
    ),
    "root-names-another-environment": (
        "environments/staging/main.tf",
        'environment = "staging"',
        'environment = "production"',
        "sizing",
        "the capacity plan says 'db.t4g.medium'",
    ),
    "platform-sized-for-one-environment": (
        "modules/platform/main.tf",
        "local.capacity.environments[var.environment]",
        'local.capacity.environments["production"]',
        "sizing",
        "the capacity plan says 'db.t4g.medium'",
    ),
    "node-count-not-the-plan": (
        "modules/cluster/main.tf",
        "max_size     = var.nodes_max",
        "max_size     = 2",
        "sizing",
        "scaling_config.max_size is 2",
    ),
    "secret-value-in-state": (
        "modules/secrets/main.tf",
        "",
        SECRET_VALUE,
        "secrets",
        "writes a secret value",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_planted_mistake_is_reported(tmp_path: Path, name: str) -> None:
    file, old, new, check, expected = BROKEN[name]
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy)
    target = copy / file
    text = target.read_text(encoding="utf-8")
    if old:
        assert old in text, f"the planted mistake no longer applies to {file}: {old!r}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
    else:
        target.write_text(text + new, encoding="utf-8")

    problems = CHECKS[check](load_stack(copy, "staging", load_capacity()))

    assert any(expected in problem for problem in problems), problems
