"""checkov over the Dockerfile, the rendered manifests of every overlay and the Terraform:
no failed check; every skip is a reviewed one written beside its resource.

checkov runs once (it takes seconds), from its own virtualenv (.venv-checkov, made by
`make setup`): its dependency pins clash with the project's. The same run also scans a
directory of planted mistakes, which must fail, so a checkov that silently scanned
nothing could not pass this test.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deploy.kustomize import render, to_yaml
from tests.deploy.facts import DEPLOY, ENVIRONMENTS, REPO

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"

PLANTED_TERRAFORM = """
resource "aws_db_instance" "planted" {
  engine              = "postgres"
  instance_class      = "db.t4g.medium"
  publicly_accessible = true
  storage_encrypted   = false
}
"""
PLANTED_DOCKERFILE = """FROM python:latest
COPY . /app
USER root
CMD ["python", "/app/main.py"]
"""
PLANTED_MANIFEST = """apiVersion: v1
kind: Pod
metadata:
  name: planted
  namespace: refarch
spec:
  containers:
    - name: planted
      image: busybox:latest
      securityContext:
        privileged: true
"""
# one check each planted mistake must trip
EXPECTED_PLANTED = {"CKV_AWS_17", "CKV_AWS_16", "CKV_DOCKER_7", "CKV_K8S_16"}


@pytest.fixture(scope="module")
def checkov_report(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run `make setup` (it creates .venv-checkov)")
    rendered = tmp_path_factory.mktemp("rendered")
    for environment in ENVIRONMENTS:
        (rendered / f"{environment}.yaml").write_text(
            to_yaml(render(DEPLOY / "k8s" / "overlays" / environment))
        )
    planted = tmp_path_factory.mktemp("planted")
    (planted / "main.tf").write_text(PLANTED_TERRAFORM)
    (planted / "Dockerfile").write_text(PLANTED_DOCKERFILE)
    (planted / "pod.yaml").write_text(PLANTED_MANIFEST)
    result = subprocess.run(
        [
            str(CHECKOV),
            *("-d", str(DEPLOY / "docker")),
            *("-d", str(DEPLOY / "terraform")),
            *("-d", str(rendered)),
            *("-d", str(planted)),
            *("--framework", "dockerfile", "terraform", "kubernetes"),
            *("--output", "json", "--skip-download", "--compact"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    if result.returncode not in (0, 1):  # 1: some check failed (the planted ones)
        pytest.fail(f"checkov could not run ({result.returncode}): {result.stderr[-2000:]}")
    return _reports(result.stdout)


def _reports(output: str) -> list[dict[str, Any]]:
    """checkov prints one JSON document per scanned directory: a report or a list of them."""
    decoder, reports, position = json.JSONDecoder(), [], 0
    while position < len(output.rstrip()):
        document, end = decoder.raw_decode(output, position)
        reports += document if isinstance(document, list) else [document]
        position = end + len(output[end:]) - len(output[end:].lstrip())
    return reports


def _failed(reports: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (check["check_id"], check.get("file_abs_path", check["file_path"]), check["resource"])
        for report in reports
        for check in report["results"]["failed_checks"]
    ]


@pytest.mark.slow
def test_checkov_reports_no_failed_check_on_the_artefacts(
    checkov_report: list[dict[str, Any]],
) -> None:
    frameworks = {report["check_type"] for report in checkov_report}
    assert frameworks == {"dockerfile", "terraform", "kubernetes"}
    failed = [f for f in _failed(checkov_report) if "planted" not in Path(f[1]).parent.name]
    assert failed == []
    passed = sum(report["summary"]["passed"] for report in checkov_report)
    assert passed > 300  # it really scanned all three kinds


@pytest.mark.slow
def test_checkov_fails_the_planted_mistakes(checkov_report: list[dict[str, Any]]) -> None:
    planted = {check_id for check_id, path, _ in _failed(checkov_report) if "planted" in path}
    assert planted >= EXPECTED_PLANTED
