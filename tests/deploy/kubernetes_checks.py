"""Consistency checks of rendered Kubernetes manifests against the specs, the serve flags,
the application's settings and the capacity plan. Each returns a list of problems."""

from __future__ import annotations

import ipaddress
from typing import Any

from refarch.reference_impl.settings import ConfigError, Settings
from tests.deploy.facts import (
    probes,
    secret_env_vars,
    serve_options,
    settings_env_vars,
)

__all__ = [
    "exposure_problems",
    "network_policy_problems",
    "pod_problems",
    "scaling_problems",
]

Resource = dict[str, Any]
APP = "refarch-app"


def find(resources: list[Resource], kind: str, name: str) -> Resource:
    for resource in resources:
        if resource["kind"] == kind and resource["metadata"]["name"] == name:
            return resource
    raise AssertionError(f"no {kind}/{name} in the rendered manifests")


def _container(deployment: Resource, name: str, *, init: bool = False) -> dict[str, Any]:
    spec = deployment["spec"]["template"]["spec"]
    for container in spec.get("initContainers" if init else "containers", []):
        if container["name"] == name:
            return dict(container)
    raise AssertionError(f"no {'init ' if init else ''}container {name}")


def _port(container: dict[str, Any], name_or_number: str | int) -> int | None:
    for port in container.get("ports", []):
        if name_or_number in (port.get("name"), port["containerPort"]):
            return int(port["containerPort"])
    return None


def pod_problems(resources: list[Resource], capacity: dict[str, Any]) -> list[str]:
    """Probes, ports, flags, env vars, secrets, resources and shutdown of the app's pods."""
    problems: list[str] = []
    app = capacity["app"]
    deployment = find(resources, "Deployment", APP)
    pod = deployment["spec"]["template"]["spec"]
    if len(pod["containers"]) != 1:
        problems.append(f"a pod runs {len(pod['containers'])} containers; one process per pod")
    container = _container(deployment, "app")
    options = serve_options(container.get("args", []))
    if options["workers"] != app["workers_per_pod"] or options["workers"] != 1:
        problems.append(f"the pod runs {options['workers']} workers; one process per pod")
    if options["port"] != app["port"] or _port(container, "http") != options["port"]:
        problems.append(
            f"serve --port {options['port']}, container port http {_port(container, 'http')}, "
            f"capacity plan {app['port']}: they must be equal"
        )
    if (
        options["metrics_port"] != app["metrics_port"]
        or _port(container, "metrics") != app["metrics_port"]
    ):
        problems.append(
            f"serve --metrics-port {options['metrics_port']}, container port metrics "
            f"{_port(container, 'metrics')}, capacity plan {app['metrics_port']}"
        )
    for kind, expected in (
        ("readinessProbe", probes().readiness),
        ("livenessProbe", probes().liveness),
    ):
        probe = container.get(kind, {}).get("httpGet", {})
        if probe.get("path") != expected:
            problems.append(
                f"{kind} asks {probe.get('path')!r}; the spec's operation is {expected!r}"
            )
        if _port(container, probe.get("port", -1)) != options["port"]:
            problems.append(f"{kind} asks port {probe.get('port')!r}, not the API port")
    problems += _env_problems(container, app)
    migrate = _container(deployment, "migrate", init=True)
    if not serve_options(migrate.get("args", []))["migrate_only"]:
        problems.append("the init container does not run `refarch serve --migrate-only`")
    if not _from_secret(migrate, "DATABASE_URL"):
        problems.append("the init container does not get DATABASE_URL from the Secret")
    resources_ = container.get("resources", {})
    wanted = {
        ("requests", "cpu"): app["cpu_request"],
        ("limits", "cpu"): app["cpu_limit"],
        ("requests", "memory"): app["memory_request"],
        ("limits", "memory"): app["memory_limit"],
    }
    for (section, resource), value in wanted.items():
        got = resources_.get(section, {}).get(resource)
        if str(got) != str(value):
            problems.append(f"{section}.{resource} is {got!r}; the capacity plan says {value!r}")
    if pod.get("terminationGracePeriodSeconds") != app["termination_grace_seconds"]:
        problems.append("terminationGracePeriodSeconds is not the capacity plan's")
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds")
    if pre_stop != app["prestop_sleep_seconds"]:
        problems.append(
            f"preStop sleeps {pre_stop!r}s; the plan says {app['prestop_sleep_seconds']}"
        )
    if any(r["kind"] == "Secret" for r in resources):
        problems.append("a Secret is inlined in the manifests; reference it, never ship it")
    return problems


def _from_secret(container: dict[str, Any], name: str) -> bool:
    for entry in container.get("env", []):
        if entry["name"] == name:
            return "secretKeyRef" in entry.get("valueFrom", {})
    return False


def _env_problems(container: dict[str, Any], app: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    env = {entry["name"]: entry for entry in container.get("env", [])}
    missing = settings_env_vars() - set(env)
    if missing:
        problems.append(f"environment variables the app reads are not provided: {sorted(missing)}")
    for name in secret_env_vars() & set(env):
        if "value" in env[name] or "secretKeyRef" not in env[name].get("valueFrom", {}):
            problems.append(f"{name} carries a credential but is not taken from a Secret")
    for name, key in (
        ("REFARCH_POOL_MAX_SIZE", "pool_max_size"),
        ("REFARCH_POOL_MIN_SIZE", "pool_min_size"),
    ):
        if env.get(name, {}).get("value") != str(app[key]):
            problems.append(
                f"{name} is {env.get(name, {}).get('value')!r}; the plan says {app[key]}"
            )
    # the literal values must be ones the application accepts (secrets stand in as strong)
    literal = {name: entry["value"] for name, entry in env.items() if "value" in entry}
    stand_ins = {name: "s" * 48 for name, entry in env.items() if "valueFrom" in entry}
    try:
        Settings.from_env({**stand_ins, **literal})
    except ConfigError as exc:
        problems.append(f"the application refuses the manifest's environment: {exc}")
    return problems


def scaling_problems(
    resources: list[Resource], capacity: dict[str, Any], environment: str
) -> list[str]:
    """Autoscaler, disruption budget and zone spread as the capacity plan says."""
    problems: list[str] = []
    plan, app = capacity["environments"][environment], capacity["app"]
    hpa = find(resources, "HorizontalPodAutoscaler", APP)["spec"]
    if hpa["scaleTargetRef"] != {"apiVersion": "apps/v1", "kind": "Deployment", "name": APP}:
        problems.append(f"the autoscaler scales {hpa['scaleTargetRef']}")
    if (hpa["minReplicas"], hpa["maxReplicas"]) != (
        plan["app_replicas_min"],
        plan["app_replicas_max"],
    ):
        problems.append(
            f"{environment}: the autoscaler runs {hpa['minReplicas']}..{hpa['maxReplicas']} pods; "
            f"the plan says {plan['app_replicas_min']}..{plan['app_replicas_max']}"
        )
    if hpa["minReplicas"] < len(capacity["zones"]):
        problems.append("fewer pods than zones: losing a zone could stop the service")
    targets = [m["resource"]["target"].get("averageUtilization") for m in hpa.get("metrics", [])]
    if targets != [app["hpa_target_cpu_percent"]]:
        problems.append(
            f"the autoscaler targets {targets}; the plan says {app['hpa_target_cpu_percent']}% CPU"
        )
    pdb = find(resources, "PodDisruptionBudget", APP)["spec"]
    if pdb.get("minAvailable") != app["min_available_during_disruption"]:
        problems.append(f"the disruption budget keeps {pdb.get('minAvailable')} pods")
    pod = find(resources, "Deployment", APP)["spec"]["template"]
    if pdb["selector"]["matchLabels"].items() - pod["metadata"]["labels"].items():
        problems.append("the disruption budget does not select the application's pods")
    spread = pod["spec"].get("topologySpreadConstraints", [])
    if not any(
        c["topologyKey"] == "topology.kubernetes.io/zone"
        and c["whenUnsatisfiable"] == "DoNotSchedule"
        for c in spread
    ):
        problems.append("pods are not spread over zones")
    return problems


def exposure_problems(resources: list[Resource], capacity: dict[str, Any]) -> list[str]:
    """What leaves the cluster: only the API port on the NodePort the ALB targets."""
    problems: list[str] = []
    app = capacity["app"]
    for service in (r for r in resources if r["kind"] == "Service"):
        spec = service["spec"]
        if spec.get("type", "ClusterIP") in {"NodePort", "LoadBalancer"}:
            for port in spec["ports"]:
                if port.get("targetPort") not in ("http", app["port"]):
                    problems.append(
                        f"Service {service['metadata']['name']} publishes port "
                        f"{port.get('targetPort')!r}; only the API port may leave the cluster"
                    )
                if port.get("nodePort") != app["node_port"]:
                    problems.append(
                        f"NodePort {port.get('nodePort')} is not the plan's {app['node_port']}"
                    )
            if spec.get("externalTrafficPolicy") != "Local":
                problems.append(
                    "the NodePort Service does not keep traffic on nodes with a ready pod"
                )
    if any(r["kind"] == "Ingress" for r in resources):
        problems.append("an Ingress would create a second public entry; the ALB is Terraform's")
    return problems


def network_policy_problems(
    resources: list[Resource], capacity: dict[str, Any], environment: str
) -> list[str]:
    """Default deny; in: load balancer -> API port, monitoring -> metrics port; out: the
    database subnets on 5432, the event broker's pods on 4222 and the cluster DNS."""
    problems: list[str] = []
    plan, app = capacity["environments"][environment], capacity["app"]
    deny = find(resources, "NetworkPolicy", "default-deny")["spec"]
    if deny.get("podSelector") != {} or sorted(deny.get("policyTypes", [])) != [
        "Egress",
        "Ingress",
    ]:
        problems.append("the namespace has no default-deny policy")
    if deny.get("ingress") or deny.get("egress"):
        problems.append("the default-deny policy allows traffic")
    policy = find(resources, "NetworkPolicy", APP)["spec"]
    allowed_in = {
        app["port"]: {("ipBlock", c) for c in plan["public_subnets"]},
        app["metrics_port"]: {("namespace", "monitoring")},
    }
    problems += _rules(policy.get("ingress", []), "from", allowed_in, "in")
    allowed_out = {
        5432: {("ipBlock", c) for c in plan["database_subnets"]},
        53: {("namespace", "kube-system")},
        4222: {("pods", "refarch-nats")},
    }
    problems += _rules(policy.get("egress", []), "to", allowed_out, "out")
    for cidr in plan["database_subnets"]:
        if not ipaddress.ip_network(cidr).subnet_of(ipaddress.ip_network(plan["vpc_cidr"])):
            problems.append(f"database subnet {cidr} is outside the VPC")
    return problems


def _rules(
    rules: list[dict[str, Any]], side: str, allowed: dict[int, set[tuple[str, str]]], way: str
) -> list[str]:
    problems = []
    seen: dict[int, set[tuple[str, str]]] = {}
    for rule in rules:
        peers = rule.get(side)
        ports = [p.get("port") for p in rule.get("ports", [])]
        if not peers or not ports:
            problems.append(f"a rule lets traffic {way} from/to any peer or port: {rule}")
            continue
        for port in ports:
            for peer in peers:
                if "ipBlock" in peer:
                    key = ("ipBlock", peer["ipBlock"]["cidr"])
                elif "namespaceSelector" not in peer and "podSelector" in peer:
                    labels = peer["podSelector"].get("matchLabels", {})
                    key = ("pods", labels.get("app.kubernetes.io/name", "*"))
                else:
                    key = (
                        "namespace",
                        peer.get("namespaceSelector", {})
                        .get("matchLabels", {})
                        .get("kubernetes.io/metadata.name", "*"),
                    )
                seen.setdefault(port, set()).add(key)
    for port, peers in seen.items():
        if port not in allowed:
            problems.append(f"port {port} is open {way}; only {sorted(allowed)} may be")
        elif peers != allowed[port]:
            problems.append(
                f"port {port} {way}: allows {sorted(peers)}, the plan says {sorted(allowed[port])}"
            )
    for port in set(allowed) - set(seen):
        problems.append(f"port {port} is not allowed {way}: the application cannot work")
    return problems
