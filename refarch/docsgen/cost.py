"""Monthly AWS cost per environment, computed from sizes and a dated price table.

Inputs, both in the repository: ``docs/data/capacity.yaml`` (sizes and traffic per
environment, following the capacity plan) and ``docs/data/aws-prices.yaml`` (a dated,
hand-typed snapshot of list prices). The cost chapter renders the result at build time,
so it moves when a size or a price moves; every line shows its formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from refarch.docsgen.markdown import table

X = "\u00d7"  # multiplication sign, in the formulas shown to readers

__all__ = ["CostLine", "environment_cost", "render_cost", "render_cost_inputs"]


@dataclass(frozen=True)
class CostLine:
    item: str
    formula: str
    monthly: float
    scales_with_traffic: bool = False


def _read(docs_dir: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((docs_dir / "data" / name).read_text(encoding="utf-8"))
    return data


def environment_cost(
    env: dict[str, Any], assumptions: dict[str, Any], prices: dict[str, Any]
) -> list[CostLine]:
    """The month's cost of one environment, line by line (USD or the table's currency)."""
    hours = float(prices["hours_per_month"])
    requests = float(env["requests_per_month"])
    millions = requests / 1e6
    nodes, node_type = int(env["nodes"]["count"]), str(env["nodes"]["type"])
    node_hour = float(prices["compute"]["instance_per_hour"][node_type])
    db = env["database"]
    az = "multi_az" if db["multi_az"] else "single_az"
    db_hour = float(prices["database"]["instance_per_hour"][db["class"]][az])
    db_gb = float(prices["database"]["storage_gp3_per_gb_month"][az])
    net, sec, obs = prices["network"], prices["security"], prices["observability"]
    zones = int(assumptions["zones"])
    egress_gb = requests * float(assumptions["response_kb"]) / 1e6
    avg_rps = requests / (hours * 3600)
    lcus = max(1.0, avg_rps / float(assumptions["lcu_requests_per_second"]))
    log_gb = requests * float(assumptions["log_bytes_per_request"]) / 1e9
    inter_az_gb = (
        requests
        * float(assumptions["db_kb_per_request"])
        / 1e6
        * float(assumptions["inter_az_share"])
    )
    nat_gb = float(assumptions["nat_gb_per_month"])
    return [
        CostLine("EKS control plane", f"{hours:.0f} h {X} {prices['compute']['eks_cluster_per_hour']}", hours * prices["compute"]["eks_cluster_per_hour"]),
        CostLine(f"EC2 nodes ({nodes} {X} {node_type})", f"{nodes} {X} {hours:.0f} h {X} {node_hour}", nodes * hours * node_hour),
        CostLine("Node disks (gp3)", f"{nodes} {X} {env['node_disk_gb']} GB {X} {prices['compute']['ebs_gp3_per_gb_month']}", nodes * env["node_disk_gb"] * prices["compute"]["ebs_gp3_per_gb_month"]),
        CostLine(f"RDS PostgreSQL {db['class']} ({'Multi-AZ' if db['multi_az'] else 'Single-AZ'})", f"{hours:.0f} h {X} {db_hour}", hours * db_hour),
        CostLine("RDS storage (gp3)", f"{db['storage_gb']} GB {X} {db_gb}", db["storage_gb"] * db_gb),
        CostLine("RDS backups beyond the free amount", f"{db['backup_gb']} GB {X} {prices['database']['backup_per_gb_month']}", db["backup_gb"] * prices["database"]["backup_per_gb_month"]),
        CostLine("Application Load Balancer", f"{hours:.0f} h {X} ({net['alb_per_hour']} + {lcus:.1f} LCU {X} {net['alb_per_lcu_hour']})", hours * (net["alb_per_hour"] + lcus * net["alb_per_lcu_hour"]), True),
        CostLine(f"NAT gateways ({zones}, one per zone)", f"{zones} {X} {hours:.0f} h {X} {net['nat_gateway_per_hour']} + {nat_gb:.0f} GB {X} {net['nat_per_gb_processed']}", zones * hours * net["nat_gateway_per_hour"] + nat_gb * net["nat_per_gb_processed"]),
        CostLine("Data transfer to the internet", f"{egress_gb:,.0f} GB {X} {net['internet_egress_per_gb']}", egress_gb * net["internet_egress_per_gb"], True),
        CostLine("Cross-zone traffic to the database", f"{inter_az_gb:,.0f} GB {X} {net['inter_az_per_gb']}", inter_az_gb * net["inter_az_per_gb"], True),
        CostLine("AWS WAF", f"{sec['waf_web_acl_per_month']} + {assumptions['waf_rules']} rules {X} {sec['waf_rule_per_month']} + {millions:,.0f} M requests {X} {sec['waf_per_million_requests']}", sec["waf_web_acl_per_month"] + assumptions["waf_rules"] * sec["waf_rule_per_month"] + millions * sec["waf_per_million_requests"], True),
        CostLine("CloudWatch Logs (ingest)", f"{log_gb:,.1f} GB {X} {obs['cloudwatch_logs_ingest_per_gb']}", log_gb * obs["cloudwatch_logs_ingest_per_gb"], True),
        CostLine("Secrets Manager", f"{assumptions['secrets']} secrets {X} {sec['secrets_manager_per_secret_month']}", assumptions["secrets"] * sec["secrets_manager_per_secret_month"]),
    ]  # fmt: skip


def _money(value: float, currency: str) -> str:
    # no-break spaces: an amount never wraps inside a table cell
    return f"{value:,.2f}\u00a0{currency}".replace(",", "\u00a0")


def render_cost(docs_dir: Path) -> str:
    capacity, prices = _read(docs_dir, "capacity.yaml"), _read(docs_dir, "aws-prices.yaml")
    currency = str(prices["currency"])
    out = [
        f"*Computed at build time from `docs/data/capacity.yaml` and the price snapshot of "
        f"{prices['snapshot_date']} for {prices['region']} in `docs/data/aws-prices.yaml` "
        f"(on-demand list prices, {currency}, {prices['hours_per_month']} hours a month, "
        "before taxes, support plans and discounts).*"
    ]
    summary = []
    for name, env in capacity["environments"].items():
        lines = environment_cost(env, capacity["assumptions"], prices)
        total = sum(line.monthly for line in lines)
        variable = sum(line.monthly for line in lines if line.scales_with_traffic)
        # marginal, not average: what one more million requests a month adds
        more = {**env, "requests_per_month": float(env["requests_per_month"]) + 1e6}
        more_total = sum(
            line.monthly for line in environment_cost(more, capacity["assumptions"], prices)
        )
        per_million = more_total - total
        summary.append(
            [
                name,
                f"{float(env['requests_per_month']) / 1e6:,.0f} M",
                _money(total, currency),
                _money(total - variable, currency),
                _money(per_million, currency),
            ]
        )
        out.append(f"### {name.capitalize()}")
        out.append(
            table(
                ["item", "formula", "per month", "grows with traffic"],
                [
                    [line.item, f"`{line.formula}`", _money(line.monthly, currency), "yes" if line.scales_with_traffic else ""]
                    for line in lines
                ]
                + [["**total**", "", f"**{_money(total, currency)}**", ""]],
            )
        )  # fmt: skip
    out.insert(
        1,
        table(
            ["environment", "requests a month", "total a month", "does not grow with traffic", "per extra million requests"],
            summary,
        ),
    )  # fmt: skip
    return "\n\n".join(out)


def render_cost_inputs(docs_dir: Path) -> str:
    capacity = _read(docs_dir, "capacity.yaml")
    rows = [
        [
            name,
            f"{env['nodes']['count']} {X} {env['nodes']['type']}",
            f"{env['database']['class']}, {'Multi-AZ' if env['database']['multi_az'] else 'Single-AZ'}, {env['database']['storage_gb']} GB",
            f"{float(env['requests_per_month']) / 1e6:,.0f} M",
        ]
        for name, env in capacity["environments"].items()
    ]  # fmt: skip
    assumptions = [[key, str(value)] for key, value in capacity["assumptions"].items()]
    return "\n\n".join(
        [
            table(["environment", "nodes", "database", "requests a month"], rows),
            table(["assumption", "value"], assumptions),
        ]
    )
