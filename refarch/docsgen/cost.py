"""Monthly AWS cost per environment: the capacity plan's sizes times a dated price table.

Three inputs, each stating its figures once: ``deploy/capacity.yaml`` (every size: region,
zones, node type and count, disks, database class, storage, Multi-AZ, backup retention;
the Terraform stacks read the same file), ``docs/data/cost-assumptions.yaml`` (traffic and
usage, which are not sizes) and ``docs/data/aws-prices.yaml`` (a dated, hand-typed price
snapshot for the deploy region). The cost chapter and the deployment resource table both
render from :func:`environment_cost`, so their totals cannot disagree. Every line carries
its formula and, where one resource is billed for it, that Terraform resource's address.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from refarch.docsgen.markdown import table

X = "\u00d7"  # multiplication sign, in the formulas shown to readers
CAPACITY = Path("deploy") / "capacity.yaml"
ASSUMPTIONS = Path("docs") / "data" / "cost-assumptions.yaml"
PRICES = Path("docs") / "data" / "aws-prices.yaml"

__all__ = [
    "CostInputs",
    "CostLine",
    "MissingPrice",
    "environment_cost",
    "load_cost_inputs",
    "money",
    "render_cost",
    "render_cost_inputs",
]


class MissingPrice(ValueError):
    """A size or region of the capacity plan has no price in the price table."""


@dataclass(frozen=True)
class CostLine:
    item: str
    formula: str
    monthly: float
    scales_with_traffic: bool = False
    resource: str | None = None  # `type.name` of the Terraform resource billed, if one is


@dataclass(frozen=True)
class CostInputs:
    capacity: dict[str, Any]
    assumptions: dict[str, Any]
    prices: dict[str, Any]

    def price(self, *keys: str, what: str) -> float:
        """The price at ``keys`` in the price table, or a :class:`MissingPrice` naming it."""
        node: Any = self.prices
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                raise MissingPrice(
                    f"{PRICES.as_posix()} has no price for {what} (key "
                    f"{'.'.join(keys)}), which {CAPACITY.as_posix()} uses: add the "
                    f"{self.prices.get('region')} list price and update snapshot_date"
                )
            node = node[key]
        return float(node)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def load_cost_inputs(repo_root: Path) -> CostInputs:
    inputs = CostInputs(
        _load(repo_root / CAPACITY), _load(repo_root / ASSUMPTIONS), _load(repo_root / PRICES)
    )
    region, priced = inputs.capacity["region"], inputs.prices["region"]
    if region != priced:
        raise MissingPrice(
            f"{CAPACITY.as_posix()} deploys to {region} but {PRICES.as_posix()} prices "
            f"{priced}: type the {region} prices into it (and its region and snapshot_date)"
        )
    planned, assumed = set(inputs.capacity["environments"]), set(inputs.assumptions["environments"])
    if planned != assumed:
        raise ValueError(
            f"{ASSUMPTIONS.as_posix()} has traffic for {sorted(assumed)} but "
            f"{CAPACITY.as_posix()} plans {sorted(planned)}: give each planned environment "
            "its requests_per_month and the other usage figures"
        )
    return inputs


def environment_cost(
    inputs: CostInputs, environment: str, requests: float | None = None
) -> list[CostLine]:
    """The month's cost of one environment at its planned minimum size, line by line.

    ``requests`` overrides the month's API requests (to price one more million).
    """
    cap, use, p = inputs.capacity, inputs.assumptions, inputs.price
    plan, traffic = cap["environments"][environment], use["environments"][environment]
    hours = float(inputs.prices["hours_per_month"])
    requests = float(traffic["requests_per_month"]) if requests is None else requests
    millions = requests / 1e6
    zones = len(cap["zones"])
    nodes, node_type = int(plan["nodes_min"]), str(plan["node_instance_type"])
    node_hour = p("compute", "instance_per_hour", node_type, what=f"EC2 {node_type}")
    eks, ebs = (
        p("compute", "eks_cluster_per_hour", what="EKS"),
        p("compute", "ebs_gp3_per_gb_month", what="EBS gp3"),
    )
    disk = int(cap["node_disk_gb"])
    db_class, az = str(plan["db_instance_class"]), "multi_az" if cap["db_multi_az"] else "single_az"
    db_hour = p("database", "instance_per_hour", db_class, az, what=f"RDS {db_class} ({az})")
    db_storage, storage_gb = (
        p("database", "storage_gp3_per_gb_month", az, what=f"RDS gp3 storage ({az})"),
        int(plan["db_allocated_storage_gb"]),
    )
    retention, changed = (
        int(plan["db_backup_retention_days"]),
        float(traffic["db_changed_gb_per_day"]),
    )
    backup = p("database", "backup_per_gb_month", what="RDS backup storage")
    alb, lcu = (
        p("network", "alb_per_hour", what="ALB"),
        p("network", "alb_per_lcu_hour", what="ALB LCU"),
    )
    ipv4 = p("network", "public_ipv4_per_hour", what="public IPv4 addresses")
    lcus = max(1.0, requests / (hours * 3600) / float(use["lcu_requests_per_second"]))
    nat, nat_gb_price = (
        p("network", "nat_gateway_per_hour", what="NAT gateway"),
        p("network", "nat_per_gb_processed", what="NAT data processing"),
    )
    nat_gb = float(use["nat_gb_per_month"])
    egress, egress_gb = (
        p("network", "internet_egress_per_gb", what="data transfer out"),
        requests * float(use["response_kb"]) / 1e6,
    )
    inter_az, inter_az_gb = (
        p("network", "inter_az_per_gb", what="inter-AZ transfer"),
        requests * float(use["db_kb_per_request"]) / 1e6 * float(use["inter_az_share"]),
    )
    acl, rule, waf_m = (
        p("security", "waf_web_acl_per_month", what="WAF web ACL"),
        p("security", "waf_rule_per_month", what="WAF rule"),
        p("security", "waf_per_million_requests", what="WAF requests"),
    )
    static_m, static_gb = (
        float(traffic["static_requests_per_month"]) / 1e6,
        float(traffic["static_gb_per_month"]),
    )
    cf_gb, cf_10k = (
        p("edge", "cloudfront_egress_per_gb", what="CloudFront transfer"),
        p("edge", "cloudfront_per_10k_https_requests", what="CloudFront requests"),
    )
    s3 = p("edge", "s3_standard_per_gb_month", what="S3 Standard")
    log_gb = requests * float(use["access_log_bytes_per_request"]) / 1e9
    log_months = int(use["access_log_months_kept"])
    cw, cw_gb = (
        p("observability", "cloudwatch_logs_ingest_per_gb", what="CloudWatch Logs ingest"),
        requests * float(use["cloudwatch_log_bytes_per_request"]) / 1e9,
    )
    secret, secrets = (
        p("security", "secrets_manager_per_secret_month", what="Secrets Manager"),
        int(use["secrets"]),
    )
    kms, keys = p("security", "kms_key_per_month", what="KMS key"), int(use["kms_keys"])
    h = f"{hours:.0f} h"
    return [
        CostLine("EKS control plane", f"{h} {X} {eks}", hours * eks, resource="aws_eks_cluster.this"),
        CostLine(f"EC2 nodes ({nodes} {X} {node_type}, the autoscaler's minimum)", f"{nodes} {X} {h} {X} {node_hour}", nodes * hours * node_hour, resource="aws_eks_node_group.app"),
        CostLine("Node root volumes (gp3)", f"{nodes} {X} {disk} GB {X} {ebs}", nodes * disk * ebs, resource="aws_launch_template.node"),
        CostLine(f"RDS PostgreSQL {db_class} ({'Multi-AZ' if cap['db_multi_az'] else 'Single-AZ'})", f"{h} {X} {db_hour}", hours * db_hour, resource="aws_db_instance.this"),
        CostLine("RDS storage (gp3)", f"{storage_gb} GB {X} {db_storage}", storage_gb * db_storage, resource="aws_db_instance.this"),
        CostLine("RDS backups beyond the free amount", f"{retention} days {X} {changed:g} GB changed a day {X} {backup}", retention * changed * backup, resource="aws_db_instance.this"),
        CostLine("Application Load Balancer", f"{h} {X} ({alb} + {lcus:.1f} LCU {X} {lcu} + {zones} IPv4 {X} {ipv4})", hours * (alb + lcus * lcu + zones * ipv4), True, "aws_lb.api"),
        CostLine(f"NAT gateways ({zones}, one per zone)", f"{zones} {X} {h} {X} {nat} + {nat_gb:.0f} GB {X} {nat_gb_price}", zones * hours * nat + nat_gb * nat_gb_price, resource="aws_nat_gateway.this"),
        CostLine("NAT gateways' public IPv4 addresses", f"{zones} {X} {h} {X} {ipv4}", zones * hours * ipv4, resource="aws_eip.nat"),
        CostLine("Data transfer to the internet", f"{egress_gb:,.0f} GB {X} {egress}", egress_gb * egress, True),
        CostLine("Cross-zone traffic to the database", f"{inter_az_gb:,.0f} GB {X} {inter_az}", inter_az_gb * inter_az, True),
        CostLine("AWS WAF on the load balancer", f"{acl} + {use['waf_rules']['api']} rules {X} {rule} + {millions:,.0f} M requests {X} {waf_m}", acl + use["waf_rules"]["api"] * rule + millions * waf_m, True, "aws_wafv2_web_acl.api"),
        CostLine("AWS WAF on CloudFront", f"{acl} + {use['waf_rules']['static']} rules {X} {rule} + {static_m:,.1f} M requests {X} {waf_m}", acl + use["waf_rules"]["static"] * rule + static_m * waf_m, resource="aws_wafv2_web_acl.static"),
        CostLine("CloudFront (static sites)", f"{static_gb:g} GB {X} {cf_gb} + {static_m * 100:,.0f} {X} 10k requests {X} {cf_10k}", static_gb * cf_gb + static_m * 100 * cf_10k, resource="aws_cloudfront_distribution.static"),
        CostLine("S3 static sites bucket", f"{use['static_site_gb']} GB {X} {s3}", float(use["static_site_gb"]) * s3, resource="aws_s3_bucket.static"),
        CostLine("S3 logs bucket (ALB access logs)", f"{log_gb:,.1f} GB a month {X} {log_months} months kept {X} {s3}", log_gb * log_months * s3, True, "aws_s3_bucket.logs"),
        CostLine("CloudWatch Logs (flow logs, database logs)", f"{cw_gb:,.1f} GB {X} {cw}", cw_gb * cw, True, "aws_cloudwatch_log_group.flow_logs"),
        CostLine("Secrets Manager", f"{secrets} secrets {X} {secret}", secrets * secret, resource="aws_secretsmanager_secret.app"),
        CostLine("KMS key", f"{keys} {X} {kms}", keys * kms, resource="aws_kms_key.platform"),
    ]  # fmt: skip


def money(value: float, currency: str) -> str:
    # no-break spaces, as entities: an amount never wraps inside a table cell, and a table
    # cell's whitespace clean-up (str.split) would turn a literal U+00A0 into a plain space
    return f"{value:,.2f}&nbsp;{currency}".replace(",", "&nbsp;")


def _repo_root(docs_dir: Path) -> Path:
    # the page inserts receive the docs folder; the capacity plan lives beside it
    return docs_dir.parent


def render_cost(docs_dir: Path) -> str:
    inputs = load_cost_inputs(_repo_root(docs_dir))
    prices, currency = inputs.prices, str(inputs.prices["currency"])
    out = [
        f"*Computed at build time from the sizes in `{CAPACITY.as_posix()}`, the traffic in "
        f"`{ASSUMPTIONS.as_posix()}` and a **price snapshot dated {prices['snapshot_date']}**, "
        f"typed by hand from AWS's public price list for {prices['region']} "
        f"(`{PRICES.as_posix()}`: on-demand list prices, {currency}, "
        f"{prices['hours_per_month']} hours a month, before taxes, support plans and "
        "discounts).*"
    ]
    summary = []
    for name, traffic in inputs.assumptions["environments"].items():
        lines = environment_cost(inputs, name)
        total = sum(line.monthly for line in lines)
        variable = sum(line.monthly for line in lines if line.scales_with_traffic)
        # marginal, not average: what one more million requests a month adds
        requests = float(traffic["requests_per_month"])
        more = sum(line.monthly for line in environment_cost(inputs, name, requests + 1e6))
        summary.append(
            [
                name,
                f"{requests / 1e6:,.0f} M",
                money(total, currency),
                money(total - variable, currency),
                money(more - total, currency),
            ]
        )
        out.append(f"### {name.capitalize()}")
        out.append(
            table(
                ["item", "formula", "per month", "grows with traffic"],
                [
                    [line.item, f"`{line.formula}`", money(line.monthly, currency), "yes" if line.scales_with_traffic else ""]
                    for line in lines
                ]
                + [["**total**", "", f"**{money(total, currency)}**", ""]],
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
    inputs = load_cost_inputs(_repo_root(docs_dir))
    cap = inputs.capacity
    rows = [
        [
            name,
            f"{plan['nodes_min']}-{plan['nodes_max']} {X} {plan['node_instance_type']}, {cap['node_disk_gb']} GB each",
            f"{plan['db_instance_class']}, {'Multi-AZ' if cap['db_multi_az'] else 'Single-AZ'}, {plan['db_allocated_storage_gb']} GB, backups kept {plan['db_backup_retention_days']} days",
            f"{float(inputs.assumptions['environments'][name]['requests_per_month']) / 1e6:,.0f} M",
        ]
        for name, plan in cap["environments"].items()
    ]  # fmt: skip
    assumptions = [
        [key, str(value)] for key, value in inputs.assumptions.items() if key != "environments"
    ] + [
        [f"{name}: {key}", f"{value:,}"]
        for name, traffic in inputs.assumptions["environments"].items()
        for key, value in traffic.items()
    ]
    return "\n\n".join(
        [
            f"Sizes from `{CAPACITY.as_posix()}` ({cap['region']}, {len(cap['zones'])} zones):",
            table(["environment", "nodes", "database", "requests a month"], rows),
            f"Traffic and usage assumptions from `{ASSUMPTIONS.as_posix()}`:",
            table(["assumption", "value"], assumptions),
        ]
    )
