"""The Kustomize overlays, rendered as Kustomize renders them, are valid Kubernetes objects
for the pinned version and agree with the specs, the serve flags, the app's settings and
the capacity plan. Each check is also shown failing on a copy with one planted mistake."""

from __future__ import annotations

import copy
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from deploy.kustomize import KustomizeError, render
from tests.deploy.facts import DEPLOY, ENVIRONMENTS, REPO, load_capacity
from tests.deploy.kubernetes_checks import (
    exposure_problems,
    find,
    network_policy_problems,
    pod_problems,
    scaling_problems,
    trusted_proxy_problems,
)

Resource = dict[str, Any]
OVERLAYS = DEPLOY / "k8s" / "overlays"


def rendered(environment: str) -> list[Resource]:
    return render(OVERLAYS / environment)


def all_problems(resources: list[Resource], environment: str) -> list[str]:
    capacity = load_capacity()
    return (
        pod_problems(resources, capacity)
        + scaling_problems(resources, capacity, environment)
        + exposure_problems(resources, capacity)
        + network_policy_problems(resources, capacity, environment)
        + trusted_proxy_problems(resources, capacity, environment)
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_rendered_object_is_valid_for_the_pinned_kubernetes_version(environment: str) -> None:
    version = load_capacity()["kubernetes_version"]
    resources = rendered(environment)
    assert {r["kind"] for r in resources} >= {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
    }
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_schema_check_refuses_a_misspelt_field() -> None:
    deployment = copy.deepcopy(find(rendered("staging"), "Deployment", "refarch-app"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, load_capacity()["kubernetes_version"], strict=True)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_manifests_agree_with_specs_settings_and_capacity_plan(environment: str) -> None:
    assert all_problems(rendered(environment), environment) == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_image_is_tagged_with_the_project_version(environment: str) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    deployment = find(rendered(environment), "Deployment", "refarch-app")
    spec = deployment["spec"]["template"]["spec"]
    images = {c["image"] for c in spec["containers"] + spec["initContainers"]}
    assert images == {f"refarch:{version}"}


def test_every_checkov_skip_annotation_has_a_reason() -> None:
    annotations = [
        (key, value)
        for r in rendered("production")
        for key, value in r["metadata"].get("annotations", {}).items()
        if key.startswith("checkov.io/skip")
    ]
    assert annotations
    for key, value in annotations:
        assert re.fullmatch(r"CKV2?_K8S_\d+=[^=]{30,}", value), f"{key}: {value}"


# --- the same checks on deliberately broken copies ----------------------------------------


def _app(resources: list[Resource]) -> dict[str, Any]:
    container: dict[str, Any] = find(resources, "Deployment", "refarch-app")["spec"]["template"][
        "spec"
    ]["containers"][0]
    return container


def _env(resources: list[Resource], name: str) -> dict[str, Any]:
    return next(e for e in _app(resources)["env"] if e["name"] == name)


def _set_arg(resources: list[Resource], flag: str, value: str) -> None:
    args = _app(resources)["args"]
    args[args.index(flag) + 1] = value


def _add(kind: str, name: str, spec: dict[str, Any]) -> Callable[[list[Resource]], None]:
    def plant(resources: list[Resource]) -> None:
        api = {"Secret": "v1", "Ingress": "networking.k8s.io/v1"}[kind]
        resources.append({"apiVersion": api, "kind": kind, "metadata": {"name": name}, **spec})

    return plant


def _inline(entry: dict[str, Any], value: str) -> None:
    entry.pop("valueFrom")
    entry["value"] = value


def _app_env(resources: list[Resource]) -> list[dict[str, Any]]:
    """The app container's env, without REFARCH_TRUSTED_PROXIES (a plant adds its own)."""
    pod = find(resources, "Deployment", "refarch-app")["spec"]["template"]["spec"]
    env: list[dict[str, Any]] = next(c for c in pod["containers"] if c["name"] == "app")["env"]
    if any(e["name"] == "REFARCH_TRUSTED_PROXIES" for e in env):
        env[:] = [e for e in env if e["name"] != "REFARCH_TRUSTED_PROXIES"]
    return env


def test_the_base_trusts_no_proxy() -> None:
    # overlays add their load balancer's subnets; anything rendered from the base alone
    # must not believe X-Forwarded-For from anyone
    assert trusted_proxy_problems(render(OVERLAYS.parent / "base"), load_capacity(), None) == []


def _policy(resources: list[Resource]) -> dict[str, Any]:
    spec: dict[str, Any] = find(resources, "NetworkPolicy", "refarch-app")["spec"]
    return spec


BROKEN: dict[str, tuple[Callable[[list[Resource]], None], str]] = {
    "readiness-on-liveness-path": (
        lambda r: _app(r)["readinessProbe"]["httpGet"].update(path="/api/v1/health"),
        "readinessProbe asks '/api/v1/health'",
    ),
    "two-workers-per-pod": (lambda r: _set_arg(r, "--workers", "2"), "one process per pod"),
    "serve-port-not-container-port": (lambda r: _set_arg(r, "--port", "8080"), "serve --port 8080"),
    "sidecar": (
        lambda r: find(r, "Deployment", "refarch-app")["spec"]["template"]["spec"][
            "containers"
        ].append({"name": "sidecar", "image": "busybox"}),
        "one process per pod",
    ),
    "env-var-missing": (
        lambda r: _app(r)["env"].remove(_env(r, "REFARCH_LOGIN_WINDOW_SECONDS")),
        "REFARCH_LOGIN_WINDOW_SECONDS",
    ),
    "secret-inlined-in-env": (
        lambda r: _inline(_env(r, "REFARCH_TOKEN_SIGNING_KEY"), "x" * 48),
        "REFARCH_TOKEN_SIGNING_KEY carries a credential",
    ),
    "secret-object-shipped": (
        _add("Secret", "refarch-app", {"stringData": {"token-signing-key": "x"}}),
        "a Secret is inlined",
    ),
    "value-the-app-refuses": (
        lambda r: _env(r, "REFARCH_ACCESS_TOKEN_TTL").update(value="5"),
        "the application refuses",
    ),
    "pool-not-the-plan": (
        lambda r: _env(r, "REFARCH_POOL_MAX_SIZE").update(value="50"),
        "REFARCH_POOL_MAX_SIZE is '50'",
    ),
    "cpu-request-not-the-plan": (
        lambda r: _app(r)["resources"]["requests"].update(cpu="250m"),
        "requests.cpu is '250m'",
    ),
    "autoscaler-max-not-the-plan": (
        lambda r: find(r, "HorizontalPodAutoscaler", "refarch-app")["spec"].update(maxReplicas=40),
        "the plan says 3..6",
    ),
    "budget-keeps-one": (
        lambda r: find(r, "PodDisruptionBudget", "refarch-app")["spec"].update(minAvailable=1),
        "keeps 1 pods",
    ),
    "no-zone-spread": (
        lambda r: find(r, "Deployment", "refarch-app")["spec"]["template"]["spec"].pop(
            "topologySpreadConstraints"
        ),
        "not spread over zones",
    ),
    "metrics-on-the-node-port": (
        lambda r: find(r, "Service", "refarch-app")["spec"]["ports"].append(
            {"name": "metrics", "port": 9100, "targetPort": "metrics", "nodePort": 30091}
        ),
        "publishes port 'metrics'",
    ),
    "an-ingress": (
        _add("Ingress", "refarch", {"spec": {"defaultBackend": {"service": {"name": "x"}}}}),
        "an Ingress",
    ),
    "egress-to-the-internet": (
        lambda r: _policy(r)["egress"].append(
            {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]}
        ),
        "port 443 is open out",
    ),
    "metrics-from-anywhere": (
        lambda r: _policy(r)["ingress"][1]["from"].append({"ipBlock": {"cidr": "0.0.0.0/0"}}),
        "port 9100 in: allows",
    ),
    "database-egress-to-the-wrong-subnet": (
        lambda r: _policy(r)["egress"][0]["to"].__setitem__(
            0, {"ipBlock": {"cidr": "10.9.0.0/24"}}
        ),
        "port 5432 out",
    ),
    "forwarded-headers-trusted-from-anywhere": (
        lambda r: _app_env(r).append({"name": "REFARCH_TRUSTED_PROXIES", "value": "0.0.0.0/0"}),
        "REFARCH_TRUSTED_PROXIES trusts ['0.0.0.0/0']",
    ),
    "forwarded-headers-not-trusted-from-the-load-balancer": (
        _app_env,  # removes the setting
        "REFARCH_TRUSTED_PROXIES trusts nobody",
    ),
    "no-default-deny": (
        lambda r: find(r, "NetworkPolicy", "default-deny")["spec"].update(policyTypes=["Ingress"]),
        "no default-deny",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_planted_mistake_is_reported(name: str) -> None:
    plant, expected = BROKEN[name]
    resources = copy.deepcopy(rendered("staging"))
    plant(resources)
    problems = all_problems(resources, "staging")
    assert any(expected in problem for problem in problems), problems


def test_overlays_render_from_the_committed_base(tmp_path: Path) -> None:
    # a renamed base resource must break the overlay's patch loudly, not silently skip it
    base = DEPLOY / "k8s"
    shutil.copytree(base, tmp_path / "k8s")
    hpa = tmp_path / "k8s" / "base" / "hpa.yaml"
    hpa.write_text(
        hpa.read_text().replace("name: refarch-app\n  namespace", "name: other\n  namespace")
    )
    with pytest.raises(KustomizeError, match="no resource matches"):
        render(tmp_path / "k8s" / "overlays" / "staging")
