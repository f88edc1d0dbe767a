"""deploy/capacity.yaml holds together: the formulae of the capacity plan (scalability
chapter) hold for every environment's figures."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.deploy.facts import ENVIRONMENTS, load_capacity, quantity_cores


def connection_problems(capacity: dict[str, Any], environment: str) -> list[str]:
    """N_conn = pods x workers_per_pod x REFARCH_POOL_MAX_SIZE <= 0.8 x max_connections,
    counted at the autoscaler's maximum, plus one migration connection per pod."""
    plan, app = capacity["environments"][environment], capacity["app"]
    pods = plan["app_replicas_max"]
    opened = pods * app["workers_per_pod"] * app["pool_max_size"] + pods
    limit = capacity["instance_types"][plan["db_instance_class"]]["max_connections"]
    if opened > 0.8 * limit:
        return [f"{environment}: {opened} connections at peak; the budget is 0.8 x {limit}"]
    return []


def node_problems(capacity: dict[str, Any], environment: str) -> list[str]:
    """The node group at its maximum holds the autoscaler's maximum pods, and at its
    minimum the zone minimum."""
    plan, app = capacity["environments"][environment], capacity["app"]
    vcpu = capacity["instance_types"][plan["node_instance_type"]]["vcpu"]
    per_node = math.floor(
        (vcpu - capacity["node_system_reserved_cpu"]) / quantity_cores(app["cpu_request"])
    )
    problems = []
    if per_node * plan["nodes_max"] < plan["app_replicas_max"]:
        problems.append(
            f"{environment}: {plan['nodes_max']} nodes x {per_node} pods < "
            f"{plan['app_replicas_max']} pods at the autoscaler's maximum"
        )
    if per_node * plan["nodes_min"] < plan["app_replicas_min"]:
        problems.append(f"{environment}: the smallest node group cannot hold the minimum pods")
    if plan["nodes_min"] < len(capacity["zones"]) or plan["app_replicas_min"] < len(
        capacity["zones"]
    ):
        problems.append(f"{environment}: fewer nodes or pods than zones")
    return problems


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_connection_budget_holds_at_peak(environment: str) -> None:
    assert connection_problems(load_capacity(), environment) == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_nodes_hold_the_pods(environment: str) -> None:
    assert node_problems(load_capacity(), environment) == []


def test_more_pods_than_the_database_can_serve_is_reported() -> None:
    capacity = load_capacity()
    capacity["environments"]["staging"]["app_replicas_max"] = 40
    assert "connections at peak" in " ".join(connection_problems(capacity, "staging"))


def test_more_pods_than_the_nodes_hold_is_reported() -> None:
    capacity = load_capacity()
    capacity["environments"]["production"]["nodes_max"] = 3
    assert "pods at the autoscaler's maximum" in " ".join(node_problems(capacity, "production"))


def test_every_environment_is_planned_the_same_way() -> None:
    capacity = load_capacity()
    assert set(capacity["environments"]) == set(ENVIRONMENTS)
    keys = [set(plan) for plan in capacity["environments"].values()]
    assert all(k == keys[0] for k in keys), "environments differ in structure, not only sizes"
    for plan in capacity["environments"].values():
        for kind in ("node_instance_type", "db_instance_class"):
            assert plan[kind] in capacity["instance_types"]
