"""deploy.kustomize renders the subset of Kustomize the overlays use, and refuses the rest."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from deploy.kustomize import KustomizeError, main, render

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: old
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
        - name: setup
          image: registry.example.com/web:1.0
      containers:
        - name: web
          image: web
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
          ports:
            - {containerPort: 80}
        - name: sidecar
          image: proxy:2.0
"""


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return directory


def base(tmp_path: Path) -> Path:
    return write(
        tmp_path / "base",
        {
            "kustomization.yaml": "resources: [deployment.yaml, namespace.yaml]\n",
            "deployment.yaml": DEPLOYMENT,
            "namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: old}\n",
        },
    )


def overlay(tmp_path: Path, kustomization: str, **files: str) -> list[dict]:
    base(tmp_path)
    directory = write(tmp_path / "overlay", {"kustomization.yaml": kustomization, **files})
    return render(directory)


def test_strategic_merge_merges_containers_and_env_by_name(tmp_path: Path) -> None:
    patch = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: old}
    spec:
      template:
        spec:
          containers:
            - name: web
              env:
                - {name: B, value: "20"}
                - {name: C, value: "3"}
    """
    resources = overlay(
        tmp_path, "resources: [../base]\npatches:\n  - path: patch.yaml\n", **{"patch.yaml": patch}
    )
    containers = resources[0]["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["web", "sidecar"]
    assert containers[0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "20"},
        {"name": "C", "value": "3"},
    ]
    assert containers[0]["image"] == "web"  # untouched fields stay


def test_strategic_merge_deletes_with_patch_directive_and_null(tmp_path: Path) -> None:
    patch = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: old}
    spec:
      selector: null
      template:
        spec:
          containers:
            - {name: sidecar, $patch: delete}
    """
    resources = overlay(
        tmp_path, "resources: [../base]\npatches:\n  - path: patch.yaml\n", **{"patch.yaml": patch}
    )
    assert "selector" not in resources[0]["spec"]
    assert [c["name"] for c in resources[0]["spec"]["template"]["spec"]["containers"]] == ["web"]


def test_json6902_add_replace_remove_on_the_target(tmp_path: Path) -> None:
    ops = """
    - {op: replace, path: /spec/template/spec/containers/0/env/0/value, value: "9"}
    - {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: D, value: "4"}}
    - {op: remove, path: /spec/template/spec/containers/1}
    """
    kustomization = """
    resources: [../base]
    patches:
      - path: ops.yaml
        target: {kind: Deployment, name: web}
    """
    resources = overlay(tmp_path, kustomization, **{"ops.yaml": ops})
    containers = resources[0]["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    assert containers[0]["env"][0]["value"] == "9"
    assert containers[0]["env"][-1] == {"name": "D", "value": "4"}


def test_namespace_labels_and_images(tmp_path: Path) -> None:
    kustomization = """
    resources: [../base]
    namespace: shop
    labels:
      - pairs: {team: checkout}
        includeSelectors: false
        includeTemplates: true
    images:
      - {name: web, newName: registry.example.com/web, newTag: "2.1"}
      - {name: registry.example.com/web, digest: "sha256:abc"}
    """
    deployment, namespace = overlay(tmp_path, kustomization)
    assert deployment["metadata"]["namespace"] == "shop"
    assert "namespace" not in namespace["metadata"]  # cluster-scoped
    assert deployment["metadata"]["labels"] == {"team": "checkout"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {
        "app": "web",
        "team": "checkout",
    }
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "web"}  # selectors untouched
    spec = deployment["spec"]["template"]["spec"]
    # rules apply in order: the second one pins what the first renamed
    assert spec["containers"][0]["image"] == "registry.example.com/web@sha256:abc"
    assert spec["initContainers"][0]["image"] == "registry.example.com/web@sha256:abc"
    assert spec["containers"][1]["image"] == "proxy:2.0"


@pytest.mark.parametrize(
    ("kustomization", "message"),
    [
        ("resources: [../base]\ncommonLabels: {a: b}\n", "unsupported field"),
        (
            "resources: [../base]\nlabels:\n  - pairs: {a: b}\n    includeSelectors: true\n",
            "includeSelectors",
        ),
        ("resources: [../missing]\n", "does not exist"),
        (
            "resources: [../base]\npatches:\n  - patch: '[{op: remove, path: /spec}]'\n",
            "needs a target",
        ),
        (
            "resources: [../base]\npatches:\n  - patch: '[{op: move, path: /spec}]'\n"
            "    target: {kind: Deployment}\n",
            "not supported",
        ),
        (
            "resources: [../base]\npatches:\n  - patch: |\n      kind: Deployment\n"
            "      metadata: {name: nothing}\n",
            "no resource matches",
        ),
    ],
)
def test_anything_else_is_refused_with_the_reason(
    tmp_path: Path, kustomization: str, message: str
) -> None:
    with pytest.raises(KustomizeError, match=message):
        overlay(tmp_path, kustomization)


def test_the_command_prints_yaml_and_exits_2_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(base(tmp_path))]) == 0
    printed = list(yaml.safe_load_all(capsys.readouterr().out))
    assert [r["kind"] for r in printed] == ["Deployment", "Namespace"]
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "no kustomization.yaml" in capsys.readouterr().err
