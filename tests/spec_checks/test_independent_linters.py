"""Independent second opinions: Spectral (spectral:oas) and Redocly (recommended) agree.

Both run from the pinned versions in node_modules (``npm ci``), with the repository's
``.spectral.yaml`` and ``redocly.yaml``. Missing node_modules is a failure, never a skip:
a skipped linter would look exactly like a passing one.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from refarch.spec_checks.layout import SpecLayout

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / "node_modules" / ".bin"


def _linter(name: str) -> Path:
    path = BIN / name
    assert path.is_file(), (
        f"{path} is missing: run `npm ci` in {REPO} (CI does) to install the pinned linters"
    )
    return path


def _service_specs() -> list[str]:
    layout = SpecLayout.open(REPO / "specs", "v1")
    return [str(path.relative_to(REPO)) for path in layout.service_documents().values()]


def _concatenated_json(text: str) -> list[Any]:
    """Redocly prints one JSON document per linted file, back to back."""
    decoder, documents, index = json.JSONDecoder(), [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        document, index = decoder.raw_decode(text, index)
        documents.append(document)
    return documents


@pytest.mark.slow
def test_spectral_oas_ruleset_reports_no_errors(tmp_path: Path) -> None:
    output = tmp_path / "spectral.json"
    result = subprocess.run(
        [
            str(_linter("spectral")),
            "lint",
            "--ruleset",
            ".spectral.yaml",
            "--format",
            "json",
            "--output",
            str(output),
            "--fail-severity",
            "error",
            *_service_specs(),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    problems = json.loads(output.read_text(encoding="utf-8")) if output.is_file() else []
    errors = [
        f"{p['source']}:{p['range']['start']['line'] + 1}: {p['code']} {p['message']}"
        for p in problems
        if p["severity"] == 0  # Spectral severities: 0 error, 1 warn, 2 info, 3 hint
    ]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_redocly_recommended_ruleset_reports_no_errors() -> None:
    result = subprocess.run(
        [
            str(_linter("redocly")),
            "lint",
            "--config",
            "redocly.yaml",
            "--format",
            "json",
            *_service_specs(),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    reports = _concatenated_json(result.stdout)
    assert len(reports) == len(_service_specs()), result.stdout + result.stderr
    errors = [
        f"{problem['location'][0]['source']['ref']}: {problem['ruleId']} {problem['message']}"
        for report in reports
        for problem in report["problems"]
        if problem["severity"] == "error"
    ]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stdout + result.stderr
