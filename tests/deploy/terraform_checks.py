"""Consistency checks of a Terraform stack against the specs, the serve flags and the
capacity plan. Each returns a list of problems (empty: consistent), so a test can run it
on the real stack and on a deliberately broken copy."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from tests.deploy.facts import probes
from tests.deploy.terraform_model import Stack

__all__ = [
    "alb_problems",
    "database_exposure_problems",
    "secret_store_problems",
    "sizing_problems",
]

#: paths that must never reach the application through the load balancer
PRIVATE_PATHS = ("/metrics", "/metrics/")


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def alb_problems(stack: Stack) -> list[str]:
    """Forward only the API prefix, never /metrics; health-check the readiness path on the
    application's NodePort."""
    problems: list[str] = []
    edge = stack.modules["edge"]
    allowed = f"{probes().api_prefix}/*"
    for name, rule in edge.of_type("aws_lb_listener_rule").items():
        forwards = any(a.get("type") == "forward" for a in _listify(rule.get("action", [])))
        patterns: list[str] = []
        for condition in _listify(rule.get("condition", [])):
            for path_pattern in _listify(condition.get("path_pattern", [])):
                patterns += _listify(stack.resolve("edge", path_pattern.get("values", [])))
        if forwards and not patterns:
            problems.append(f"listener rule {name} forwards every path")
        for pattern in patterns:
            if forwards and pattern != allowed:
                problems.append(f"listener rule {name} forwards {pattern!r}; only {allowed!r} may")
            if forwards and any(fnmatchcase(p, pattern) for p in PRIVATE_PATHS):
                problems.append(f"listener rule {name} forwards /metrics to the application")
    for name, listener in edge.of_type("aws_lb_listener").items():
        for action in _listify(listener.get("default_action", [])):
            if action.get("type") == "forward":
                problems.append(f"listener {name} forwards every unmatched path by default")
    node_port = stack.capacity["app"]["node_port"]
    for name in edge.of_type("aws_lb_target_group"):
        resource = ("aws_lb_target_group", name)
        if stack.value("edge", resource, "health_check.path") != probes().readiness:
            problems.append(
                f"target group {name} health-checks "
                f"{stack.value('edge', resource, 'health_check.path')!r}, not the readiness "
                f"operation {probes().readiness!r}"
            )
        if stack.value("edge", resource, "port") != node_port:
            problems.append(
                f"target group {name} sends to port {stack.value('edge', resource, 'port')}, "
                f"not the Service's NodePort {node_port}"
            )
    return problems


def database_exposure_problems(stack: Stack) -> list[str]:
    """No public address, no route to the internet, PostgreSQL reachable from the
    application's security group only."""
    problems: list[str] = []
    database, network = stack.modules["database"], stack.modules["network"]
    for name in database.of_type("aws_db_instance"):
        resource = ("aws_db_instance", name)
        if stack.value("database", resource, "publicly_accessible") is not False:
            problems.append(f"aws_db_instance.{name} is publicly accessible")
        if stack.value("database", resource, "multi_az") is not True:
            problems.append(f"aws_db_instance.{name} is not Multi-AZ")
        if stack.value("database", resource, "storage_encrypted") is not True:
            problems.append(f"aws_db_instance.{name} is not encrypted")
    for kind in ("aws_vpc_security_group_ingress_rule", "aws_security_group_rule"):
        for name, rule in database.of_type(kind).items():
            if rule.get("type", "ingress") != "ingress":
                continue
            if (
                "referenced_security_group_id" not in rule
                and "source_security_group_id" not in rule
            ):
                problems.append(f"{kind}.{name} admits addresses, not the application's group")
            if (rule.get("from_port"), rule.get("to_port")) != (5432, 5432):
                problems.append(f"{kind}.{name} opens ports other than 5432")
    for name, group in database.of_type("aws_security_group").items():
        if group.get("ingress"):
            problems.append(f"aws_security_group.{name} has inline ingress rules")
    subnets = stack.platform.modules["database"].get("database_subnet_ids")
    if subnets != "${module.network.database_subnet_ids}":
        problems.append(f"the database is placed in {subnets}, not the database subnets")
    for name, table in network.of_type("aws_route_table").items():
        associations = [
            a
            for a in network.of_type("aws_route_table_association").values()
            if a.get("route_table_id") == f"${{aws_route_table.{name}.id}}"
            and "aws_subnet.database" in str(a.get("subnet_id"))
        ]
        if associations and table.get("route"):
            problems.append(f"the database subnets' route table {name} has routes out")
    return problems


def sizing_problems(stack: Stack) -> list[str]:
    """Instance sizes and counts equal the capacity plan's figures for the environment."""
    plan = stack.capacity["environments"][stack.environment]
    expected: list[tuple[str, tuple[str, str], str, Any]] = [
        ("database", ("aws_db_instance", "this"), "instance_class", plan["db_instance_class"]),
        (
            "database",
            ("aws_db_instance", "this"),
            "allocated_storage",
            plan["db_allocated_storage_gb"],
        ),
        (
            "database",
            ("aws_db_instance", "this"),
            "max_allocated_storage",
            plan["db_max_allocated_storage_gb"],
        ),
        (
            "database",
            ("aws_db_instance", "this"),
            "backup_retention_period",
            plan["db_backup_retention_days"],
        ),
        (
            "database",
            ("aws_db_instance", "this"),
            "engine_version",
            stack.capacity["postgresql_major"],
        ),
        (
            "cluster",
            ("aws_eks_node_group", "app"),
            "instance_types",
            [plan["node_instance_type"]],
        ),
        ("cluster", ("aws_eks_node_group", "app"), "scaling_config.min_size", plan["nodes_min"]),
        ("cluster", ("aws_eks_node_group", "app"), "scaling_config.max_size", plan["nodes_max"]),
        (
            "cluster",
            ("aws_eks_cluster", "this"),
            "version",
            stack.capacity["kubernetes_version"],
        ),
        ("network", ("aws_subnet", "public"), "cidr_block", plan["public_subnets"]),
        ("network", ("aws_subnet", "database"), "cidr_block", plan["database_subnets"]),
    ]
    problems = []
    for module, resource, attribute, want in expected:
        got = stack.value(module, resource, attribute)
        if isinstance(got, str) and "[count.index]" in got:  # one per zone, from a list
            got = stack.resolve(module, "${var." + got.split("var.")[1].split("[")[0] + "}")
        if got != want:
            problems.append(
                f"{stack.environment}: {module} {'.'.join(resource)}.{attribute} is {got!r}; "
                f"the capacity plan says {want!r}"
            )
    return problems


def secret_store_problems(stack: Stack) -> list[str]:
    """The application's secret exists, is encrypted with the platform key, and Terraform
    never writes a secret value (it would be in the state)."""
    secrets = stack.modules["secrets"]
    problems = []
    if not secrets.of_type("aws_secretsmanager_secret"):
        problems.append("no Secrets Manager secret for the application")
    for name, secret in secrets.of_type("aws_secretsmanager_secret").items():
        if "kms_key_id" not in secret:
            problems.append(f"secret {name} is not encrypted with the platform key")
    for module_name, module in stack.modules.items():
        if module.of_type("aws_secretsmanager_secret_version"):
            problems.append(f"module {module_name} writes a secret value into the state")
        for name, db in module.of_type("aws_db_instance").items():
            if "password" in db or db.get("manage_master_user_password") is not True:
                problems.append(f"{module_name}: aws_db_instance.{name} password is not managed")
    return problems
