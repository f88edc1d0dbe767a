"""Render a Kustomize directory the way ``kustomize build`` does, for the subset we use.

Debian has no kustomize or kubectl, and CI machines may have neither, so the offline
checks render the overlays with this module. It supports exactly what the overlays in
``deploy/k8s`` use, and refuses anything else with an error naming the field, so an
overlay can never silently render differently here than in ``kubectl apply -k``:

* ``resources`` (files, or directories holding a kustomization),
* ``namespace``,
* ``labels`` with ``includeSelectors: false`` (``commonLabels`` also rewrites selectors,
  which are immutable on a live Deployment: a trap we keep out),
* ``images`` (``newName``, ``newTag``, ``digest``),
* ``patches``: strategic-merge patches (merge keys for the lists we patch) and JSON 6902
  patches (``add``, ``replace``, ``remove``) with a ``target`` by kind, name, namespace.

Run ``python -m deploy.kustomize deploy/k8s/overlays/staging`` to print the manifests.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

__all__ = ["KustomizeError", "render", "to_yaml"]

Resource = dict[str, Any]

KNOWN_FIELDS = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
}
# strategic-merge merge keys for the lists our patches touch (from the Kubernetes API's
# x-kubernetes-patch-merge-key); any other list is replaced, as Kubernetes does
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "topologySpreadConstraints": "topologyKey",
}
# container ports merge on containerPort, Service ports on port
PORT_KEYS = ("containerPort", "port")


class KustomizeError(ValueError):
    """The kustomization cannot be rendered; the message names the file and the field."""


def render(directory: Path) -> list[Resource]:
    """The resources ``kustomize build directory`` would print, in the same order of input."""
    directory = Path(directory)
    config_path = _kustomization_file(directory)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    unknown = set(config) - KNOWN_FIELDS
    if unknown:
        raise KustomizeError(
            f"{config_path}: unsupported field(s) {sorted(unknown)}; this renderer supports "
            f"{sorted(KNOWN_FIELDS)} (see deploy/kustomize.py)"
        )
    resources: list[Resource] = []
    for entry in config.get("resources", []):
        target = directory / entry
        if target.is_dir():
            resources += render(target)
        elif target.is_file():
            resources += _load_documents(target)
        else:
            raise KustomizeError(f"{config_path}: resource {entry!r} does not exist")
    for patch in config.get("patches", []):
        _apply_patch(resources, patch, directory, config_path)
    if "namespace" in config:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource.setdefault("metadata", {})["namespace"] = config["namespace"]
    for label_set in config.get("labels", []):
        _apply_labels(resources, label_set, config_path)
    for image in config.get("images", []):
        _apply_image(resources, image)
    return resources


def to_yaml(resources: Iterable[Resource]) -> str:
    return yaml.safe_dump_all(list(resources), sort_keys=False, explicit_start=False)


def _kustomization_file(directory: Path) -> Path:
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        if (directory / name).is_file():
            return directory / name
    raise KustomizeError(f"{directory}: no kustomization.yaml")


def _load_documents(path: Path) -> list[Resource]:
    documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    for document in documents:
        if not isinstance(document, dict) or "kind" not in document:
            raise KustomizeError(f"{path}: every document must be a Kubernetes object")
    return documents


def _matches(resource: Resource, target: dict[str, Any]) -> bool:
    metadata = resource.get("metadata", {})
    for field, actual in (
        ("kind", resource.get("kind")),
        ("name", metadata.get("name")),
        ("namespace", metadata.get("namespace")),
    ):
        if field in target and target[field] != actual:
            return False
    return True


def _apply_patch(
    resources: list[Resource], patch: dict[str, Any], directory: Path, config_path: Path
) -> None:
    unknown = set(patch) - {"path", "patch", "target"}
    if unknown:
        raise KustomizeError(f"{config_path}: unsupported patch field(s) {sorted(unknown)}")
    if "path" in patch:
        body = yaml.safe_load((directory / patch["path"]).read_text(encoding="utf-8"))
    else:
        body = yaml.safe_load(patch["patch"])
    target = patch.get("target")
    if target is not None and set(target) - {"kind", "name", "namespace"}:
        raise KustomizeError(f"{config_path}: patch targets may select kind, name, namespace")
    if isinstance(body, list):  # a JSON 6902 patch: a list of operations
        if target is None:
            raise KustomizeError(f"{config_path}: a JSON 6902 patch needs a target")
        chosen = [r for r in resources if _matches(r, target)]
        if not chosen:
            raise KustomizeError(f"{config_path}: no resource matches patch target {target}")
        for resource in chosen:
            for operation in body:
                _json6902(resource, operation, config_path)
        return
    selector = target or {
        "kind": body["kind"],
        "name": body["metadata"]["name"],
        **({"namespace": body["metadata"]["namespace"]} if "namespace" in body["metadata"] else {}),
    }
    chosen = [r for r in resources if _matches(r, selector)]
    if not chosen:
        raise KustomizeError(f"{config_path}: no resource matches the patch for {selector}")
    for resource in chosen:
        merged = _strategic_merge(resource, body)
        if target is not None:  # a targeted patch does not rename what it selected
            merged["metadata"]["name"] = resource["metadata"]["name"]
        resource.clear()
        resource.update(merged)


def _strategic_merge(original: Any, patch: Any, field: str = "") -> Any:
    if isinstance(original, dict) and isinstance(patch, dict):
        merged = dict(original)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = _strategic_merge(merged[key], value, key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(original, list) and isinstance(patch, list):
        key = _merge_key(field, original + patch)
        if key is None:
            return copy.deepcopy(patch)
        merged_list = [copy.deepcopy(item) for item in original]
        for item in patch:
            position = next(
                (i for i, old in enumerate(merged_list) if old.get(key) == item.get(key)), None
            )
            if item.get("$patch") == "delete":
                if position is not None:
                    del merged_list[position]
            elif position is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[position] = _strategic_merge(merged_list[position], item, field)
        return merged_list
    return copy.deepcopy(patch)


def _merge_key(field: str, items: list[Any]) -> str | None:
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    if field == "ports":
        return next((k for k in PORT_KEYS if all(k in item for item in items)), None)
    return MERGE_KEYS.get(field)


def _json6902(resource: Resource, operation: dict[str, Any], config_path: Path) -> None:
    op, path = operation.get("op"), operation.get("path", "")
    if op not in {"add", "replace", "remove"}:
        raise KustomizeError(f"{config_path}: JSON 6902 op {op!r} is not supported")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    if not parts:
        raise KustomizeError(f"{config_path}: JSON 6902 path {path!r} names no field")
    parent: Any = resource
    for part in parts[:-1]:
        try:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        except (KeyError, IndexError, ValueError):
            raise KustomizeError(f"{config_path}: JSON 6902 path {path} does not exist") from None
    last = parts[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if op == "add":
            parent.insert(index, copy.deepcopy(operation["value"]))
        elif index >= len(parent):
            raise KustomizeError(f"{config_path}: JSON 6902 path {path} does not exist")
        elif op == "replace":
            parent[index] = copy.deepcopy(operation["value"])
        else:
            del parent[index]
        return
    if op != "add" and last not in parent:
        raise KustomizeError(f"{config_path}: JSON 6902 path {path} does not exist")
    if op == "remove":
        del parent[last]
    else:
        parent[last] = copy.deepcopy(operation["value"])


def _pod_templates(resource: Resource) -> list[dict[str, Any]]:
    kind, spec = resource["kind"], resource.get("spec", {})
    if kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}:
        return [spec.get("template", {})]
    if kind == "CronJob":
        return [spec.get("jobTemplate", {}).get("spec", {}).get("template", {})]
    return []


def _apply_labels(resources: list[Resource], label_set: dict[str, Any], config_path: Path) -> None:
    if label_set.get("includeSelectors", False):
        raise KustomizeError(
            f"{config_path}: labels with includeSelectors: true are not supported (selectors "
            "are immutable on live objects); use includeSelectors: false"
        )
    pairs = label_set.get("pairs", {})
    for resource in resources:
        resource.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
        if label_set.get("includeTemplates", False):
            for template in _pod_templates(resource):
                template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def _apply_image(resources: list[Resource], image: dict[str, Any]) -> None:
    for resource in resources:
        for template in _pod_templates(resource):
            spec = template.get("spec", {})
            for container in spec.get("initContainers", []) + spec.get("containers", []):
                container["image"] = _new_image(container.get("image", ""), image)


def _new_image(current: str, rule: dict[str, Any]) -> str:
    name, tag, digest = _split_image(current)
    if name != rule["name"]:
        return current
    name = str(rule.get("newName", name))
    if "digest" in rule:
        return f"{name}@{rule['digest']}"
    if "newTag" in rule:
        return f"{name}:{rule['newTag']}"
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _split_image(image: str) -> tuple[str, str, str]:
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m deploy.kustomize DIRECTORY", file=sys.stderr)
        return 2
    try:
        print(to_yaml(render(Path(args[0]))), end="")
    except KustomizeError as exc:
        print(f"deploy.kustomize: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
