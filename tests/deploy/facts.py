"""What the deployment artefacts must agree with, read from where each fact lives.

Nothing here is a copied list: probe paths come from the operations spec, the environment
variables from ``reference_impl/settings.py`` (parsed, not imported, so a variable added
there is required of every deployment at once), the ``refarch serve`` flags from the
click command itself, and sizes from ``deploy/capacity.yaml``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import click
import yaml

from refarch.specs import load_openapi, operations

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SETTINGS_MODULE = REPO / "reference_impl" / "settings.py"
ENVIRONMENTS = ("staging", "production")
#: variables that carry a credential: they must come from a secret store, never a literal
SECRET_NAME = re.compile(r"(KEY|PASSWORD|DATABASE_URL|SMTP_URL)")  # URLs may hold a password


def load_capacity(path: Path = DEPLOY / "capacity.yaml") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@cache
def settings_env_vars() -> frozenset[str]:
    """Every environment variable ``Settings.from_env`` reads (``env.get("X")``,
    ``_int(env, "X", ...)``, ``_bool(env, "X", ...)``)."""
    tree = ast.parse(SETTINGS_MODULE.read_text(encoding="utf-8"))
    from_env = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "from_env"
    )
    names: set[str] = set()
    for node in ast.walk(from_env):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_get = isinstance(func, ast.Attribute) and func.attr == "get"
        is_typed = isinstance(func, ast.Name) and func.id in {"_int", "_bool"}
        args = node.args if is_get else node.args[1:2] if is_typed else []
        for arg in args[:1]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
    if not names:
        raise AssertionError(f"found no environment variables in {SETTINGS_MODULE}")
    return frozenset(names)


def secret_env_vars() -> frozenset[str]:
    return frozenset(name for name in settings_env_vars() if SECRET_NAME.search(name))


@dataclass(frozen=True)
class Probes:
    api_prefix: str  # the spec's server URL, e.g. /api/v1
    liveness: str  # getHealth's full path
    readiness: str  # getReadiness's full path


@cache
def probes() -> Probes:
    prefix = load_openapi("operations")["servers"][0]["url"].rstrip("/")
    paths = {op.operation_id: prefix + op.path for op in operations(services=("operations",))}
    return Probes(api_prefix=prefix, liveness=paths["getHealth"], readiness=paths["getReadiness"])


def serve_options(args: list[str]) -> dict[str, Any]:
    """The options ``refarch <args>`` would run ``serve`` with, parsed by the real command;
    a misspelt or removed flag is a usage error here exactly as in the container."""
    from refarch.reference_impl.cli import serve

    if not args or args[0] != "serve":
        raise AssertionError(f"the container must run `refarch serve`, not {args!r}")
    try:
        context = serve.make_context("serve", list(args[1:]))
    except click.UsageError as exc:
        raise AssertionError(f"`refarch {' '.join(args)}`: {exc.format_message()}") from exc
    return dict(context.params)


def quantity_cores(value: str | int | float) -> float:
    text = str(value)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
