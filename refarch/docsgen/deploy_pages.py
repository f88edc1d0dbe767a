"""The generated table of cloud resources, from the Terraform modules and deploy/capacity.yaml.

Written to ``docs/reference/deployment-resources.md`` on every docs build, so the table
cannot drift from the code: a resource added to a module appears, a size changed in the
capacity file changes here. The Terraform is scanned for its ``resource`` blocks (a plain
text scan: the docs build must not need the test-only HCL parser), and sizes come from
the capacity file, which the stacks themselves read with ``yamldecode``. Monthly costs come
from the cost model (:mod:`refarch.docsgen.cost`) that the cost chapter renders, so each
environment's total here equals the chapter's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refarch.docsgen.cost import CostLine, environment_cost, load_cost_inputs, money
from refarch.docsgen.markdown import escape_cell, table

__all__ = ["render_deployment_resources", "write_deployment_resources"]

PAGE = Path("reference") / "deployment-resources.md"
MODULE_ORDER = ("network", "cluster", "database", "edge", "secrets")
_RESOURCE = re.compile(r'^resource\s+"([\w-]+)"\s+"([\w-]+)"\s*\{', re.MULTILINE)

Plan = dict[str, Any]


@dataclass(frozen=True)
class TerraformResource:
    module: str
    kind: str
    name: str
    per_zone: bool  # count = length(var.zones): one per Availability Zone
    file: str


def scan_modules(terraform_dir: Path) -> list[TerraformResource]:
    found = []
    for module in MODULE_ORDER:
        for path in sorted((terraform_dir / "modules" / module).glob("*.tf")):
            text = path.read_text(encoding="utf-8")
            for match in _RESOURCE.finditer(text):
                end = text.find("\n}", match.end())
                body = text[match.end() : end if end >= 0 else len(text)]
                found.append(
                    TerraformResource(
                        module=module,
                        kind=match.group(1),
                        name=match.group(2),
                        per_zone="length(var.zones)" in body,
                        file=path.relative_to(terraform_dir.parent.parent).as_posix(),
                    )
                )
    return found


def _subnets(key: str) -> Callable[[Plan, Plan], str]:
    return lambda plan, _capacity: ", ".join(plan[key])


#: sizes that differ by environment, by (resource type, name); everything else is sized by
#: AWS (managed services) or has no size
SIZES: dict[tuple[str, str], Callable[[Plan, Plan], str]] = {
    ("aws_vpc", "this"): lambda plan, _c: plan["vpc_cidr"],
    ("aws_subnet", "public"): _subnets("public_subnets"),
    ("aws_subnet", "private"): _subnets("private_subnets"),
    ("aws_subnet", "database"): _subnets("database_subnets"),
    ("aws_eks_cluster", "this"): lambda _p, c: f"Kubernetes {c['kubernetes_version']}",
    ("aws_eks_node_group", "app"): lambda plan, c: (
        f"{plan['nodes_min']}-{plan['nodes_max']} x {plan['node_instance_type']} "
        f"({c['instance_types'][plan['node_instance_type']]['vcpu']} vCPU)"
    ),
    ("aws_launch_template", "node"): lambda _p, c: f"{c['node_disk_gb']} GB gp3 root volume",
    ("aws_db_instance", "this"): lambda plan, c: (
        f"{plan['db_instance_class']}, {'Multi-AZ' if c['db_multi_az'] else 'Single-AZ'}, "
        f"PostgreSQL {c['postgresql_major']}, "
        f"{plan['db_allocated_storage_gb']}-{plan['db_max_allocated_storage_gb']} GB gp3, "
        f"PITR {plan['db_backup_retention_days']} days"
    ),
}


def _cost_by_resource(lines: list[CostLine]) -> dict[str | None, float]:
    costs: dict[str | None, float] = {}
    for line in lines:
        costs[line.resource] = costs.get(line.resource, 0.0) + line.monthly
    return costs


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(escape_cell(cell) for cell in cells) + " |"


def render_deployment_resources(repo_root: Path) -> str:
    inputs = load_cost_inputs(repo_root)
    capacity: Plan = inputs.capacity
    environments = list(capacity["environments"])
    currency = str(inputs.prices["currency"])
    lines_by_env = {e: environment_cost(inputs, e) for e in environments}
    costs = {e: _cost_by_resource(lines_by_env[e]) for e in environments}
    resources = scan_modules(repo_root / "deploy" / "terraform")
    zones = len(capacity["zones"])
    app = capacity["app"]
    lines = [
        "# Deployment resources",
        "",
        "Every cloud resource the Terraform modules create, with its size and monthly cost in",
        "each environment. Generated on every docs build from `deploy/terraform/modules/*/*.tf`",
        "and `deploy/capacity.yaml` (which the stacks read too); do not edit. Costs come from",
        "the [cost model](../architecture/cost.md), with the hand-typed price snapshot of",
        f"{inputs.prices['snapshot_date']} for {inputs.prices['region']}; usage billed to no",
        "single resource (data transfer) has its own rows before the total.",
        "",
        "## Application (Kubernetes)",
        "",
        table(
            ["environment", "pods (autoscaled)", "each pod"],
            [
                [
                    e,
                    f"{capacity['environments'][e]['app_replicas_min']}-"
                    f"{capacity['environments'][e]['app_replicas_max']} "
                    f"at {app['hpa_target_cpu_percent']}% CPU",
                    f"{app['workers_per_pod']} worker; CPU {app['cpu_request']} (limit "
                    f"{app['cpu_limit']}); memory {app['memory_request']} (limit "
                    f"{app['memory_limit']}); {app['pool_max_size']} database connections",
                ]
                for e in environments
            ],
        ),
        "",
        "## Monthly cost per resource",
        "",
        "The resources billed on their own, at the planned minimum size (all their instances:",
        "three NAT gateways, every node of the node group); each line's formula is in the",
        "[cost chapter](../architecture/cost.md).",
        "",
        _row(["module", "resource"] + [f"{e} a month" for e in environments]),
        "|---|---|" + "--:|" * len(environments),
    ]
    for resource in resources:
        address = f"{resource.kind}.{resource.name}"
        if address not in costs[environments[0]]:
            continue
        lines.append(
            _row(
                [resource.module, f"`{address}`"]
                + [money(costs[e].get(address, 0.0), currency) for e in environments]
            )
        )
    for item in [line.item for line in lines_by_env[environments[0]] if line.resource is None]:
        usage = [
            sum(line.monthly for line in lines_by_env[e] if line.item == item) for e in environments
        ]
        lines.append(_row(["usage", item] + [money(v, currency) for v in usage]))
    totals = [sum(line.monthly for line in lines_by_env[e]) for e in environments]
    lines.append(_row(["**total**", ""] + [f"**{money(total, currency)}**" for total in totals]))
    lines += [
        "",
        "## Cloud resources (Terraform)",
        "",
        _row(["module", "resource", "count", *environments, "file"]),
        "|---|---|---|" + "---|" * len(environments) + "---|",
    ]
    for resource in resources:
        size = SIZES.get((resource.kind, resource.name))
        lines.append(
            _row(
                [
                    resource.module,
                    f"`{resource.kind}.{resource.name}`",
                    str(zones if resource.per_zone else 1),
                ]
                + [
                    size(capacity["environments"][e], capacity) if size else "—"
                    for e in environments
                ]
                + [f"`{resource.file}`"]
            )
        )
    lines.append("")
    return "\n".join(lines)


def write_deployment_resources(docs_dir: Path, repo_root: Path) -> Path:
    path = docs_dir / PAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_deployment_resources(repo_root), encoding="utf-8")
    return path
