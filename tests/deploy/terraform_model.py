"""Terraform read with python-hcl2, and the few values the checks need resolved.

An environment's root (``deploy/terraform/environments/<env>``) names the environment and
calls the composition module ``modules/platform``, which calls the layer modules with
arguments that are either literals or ``local.*`` expressions over ``deploy/capacity.yaml``
(it reads the file with ``yamldecode``). :meth:`Stack.value` follows a resource attribute
inside a layer module through ``var.*`` to the platform's argument and from there to the
capacity file, for the environment the root names, so a check sees the value Terraform
would plan, or the unresolved expression when it depends on another resource (an id
known only after apply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

__all__ = ["Module", "Stack", "load_module", "load_stack", "parse_file"]

_EXPRESSION = re.compile(r"^\$\{(.+)\}$")
_INTERPOLATED_VAR = re.compile(r"\$\{var\.(\w+)\}")
_LOCAL_PATH = re.compile(r"^local\.([A-Za-z_][\w]*)((?:\.[A-Za-z_]\w*|\[[^\]]+\])*)$")


def _clean(value: Any) -> Any:
    """hcl2's output without its bookkeeping keys, quoted literals unquoted."""
    if isinstance(value, dict):
        return {
            _unquote(k): _clean(v)
            for k, v in value.items()
            if k not in {"__is_block__", "__comments__"}
        }
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return _unquote(value)
    return value


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def parse_file(path: Path) -> dict[str, Any]:
    """One .tf file's blocks by kind, without hcl2's bookkeeping (comments, block marks)."""
    with path.open(encoding="utf-8") as handle:
        cleaned: dict[str, Any] = _clean(hcl2.load(handle))
    return cleaned


@dataclass
class Module:
    path: Path
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    skips: list[str] = field(default_factory=list)  # every checkov:skip comment, verbatim

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            name: body for (kind, name), body in self.resources.items() if kind == resource_type
        }


def load_module(directory: Path) -> Module:
    module = Module(path=directory)
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        module.skips += re.findall(r"#\s*checkov:skip=([^\n]*)", text)
        with path.open(encoding="utf-8") as handle:
            parsed = hcl2.load(handle)
        for block in parsed.get("resource", []):
            for kind, named in _clean(block).items():
                for name, body in named.items():
                    module.resources[(kind, name)] = body
        for block in parsed.get("data", []):
            for kind, named in _clean(block).items():
                for name, body in named.items():
                    module.data[(kind, name)] = body
        for block in parsed.get("variable", []):
            module.variables.update(_clean(block))
        for block in parsed.get("module", []):
            module.modules.update(_clean(block))
        for block in parsed.get("locals", []):
            module.locals.update(_clean(block))
    return module


@dataclass
class Stack:
    """One environment's stack: its root, the platform module it calls, and the layer
    modules the platform calls."""

    environment: str
    root: Module
    platform: Module
    modules: dict[str, Module]  # by the platform's module name (network, cluster, ...)
    capacity: dict[str, Any]

    def value(self, module: str, resource: tuple[str, str], attribute: str) -> Any:
        """A resource attribute as the stack sets it (``a.b`` walks nested blocks)."""
        current: Any = self.modules[module].resources[resource]
        for part in attribute.split("."):
            if isinstance(current, list):
                current = current[0]
            current = current[part]
        return self.resolve(module, current)

    def resolve(self, module: str, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(module, v) for v in value]
        if not isinstance(value, str):
            return value
        match = _EXPRESSION.match(value)
        if match is None:  # a string with ${var.x} inside: substitute what resolves
            return _INTERPOLATED_VAR.sub(
                lambda m: str(self.resolve(module, "${var." + m.group(1) + "}")), value
            )
        expression = match.group(1)
        if expression.startswith("var."):
            argument = self.platform.modules[module].get(expression[4:])
            return value if argument is None else self._resolve_platform(argument)
        return value

    def _resolve_platform(self, value: Any) -> Any:
        """A platform argument: a local over the capacity file, another local, or a
        ``var.*`` the root passes."""
        if isinstance(value, list):
            return [self._resolve_platform(v) for v in value]
        if not isinstance(value, str):
            return value
        match = _EXPRESSION.match(value)
        if match and match.group(1).startswith("var."):
            argument = self.root.modules["platform"].get(match.group(1)[4:])
            return value if argument is None else argument
        local = _LOCAL_PATH.match(match.group(1)) if match else None
        if local is None:
            return value
        name, rest = local.group(1), local.group(2)
        roots = {"capacity": self.capacity, "app": self.capacity["app"]}
        planned = self._planned_environment()
        if planned is not None:
            roots["plan"] = self.capacity["environments"][planned]
        if name in roots:
            current: Any = roots[name]
        elif name in self.platform.locals:
            return self.platform.locals[name]
        else:
            return value
        for step in re.findall(r"\.(\w+)|\[([^\]]+)\]", rest):
            key = step[0] or step[1].strip('"')
            current = current[key]
        return current

    def _planned_environment(self) -> str | None:
        """The environment whose sizes ``local.plan`` holds: the name the root gives the
        platform, when the platform looks its plan up by that name (else None, and its
        sizes stay unresolved, so a check reports them)."""
        if self.platform.locals.get("plan") != "${local.capacity.environments[var.environment]}":
            return None
        name = self.root.modules["platform"].get("environment")
        if name == "${local.environment}":
            name = self.root.locals.get("environment")
        return name if name in self.capacity["environments"] else None


def load_stack(terraform_dir: Path, environment: str, capacity: dict[str, Any]) -> Stack:
    root = load_module(terraform_dir / "environments" / environment)
    platform = load_module((root.path / root.modules["platform"]["source"]).resolve())
    modules = {
        name: load_module((platform.path / body["source"]).resolve())
        for name, body in platform.modules.items()
    }
    return Stack(
        environment=environment, root=root, platform=platform, modules=modules, capacity=capacity
    )
