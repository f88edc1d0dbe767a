"""Rule ASY001: the AsyncAPI document is valid, as the pinned ``@asyncapi/parser`` judges it.

No Python package validates AsyncAPI 3.0 in full (the ones tried ignore external ``$ref``s
and payload schemas), so the official parser runs in Node from the checkout's
``node_modules`` (pinned in package-lock.json): schema of the document, every ``$ref``
including those into ``openapi/common/``, and the payload schemas. Its informational hints
(such as "a newer AsyncAPI version exists") are not problems; errors and warnings are.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from refarch.spec_checks.findings import CheckAborted, Finding

__all__ = ["PARSER_PACKAGE", "RULES", "check_asyncapi_validity", "find_parser_modules"]

RULES: dict[str, str] = {
    "ASY001": "the AsyncAPI document is valid AsyncAPI 3.0 (pinned @asyncapi/parser)",
}

PARSER_PACKAGE = "@asyncapi/parser"
_SCRIPT = Path(__file__).with_name("asyncapi_parse.js")
_TIMEOUT_SECONDS = 120
#: The parser's severities: 0 error, 1 warning, 2 information, 3 hint.
_PROBLEM_SEVERITIES = (0, 1)


def find_parser_modules(specs_root: Path) -> Path | None:
    """The ``node_modules`` folder of the checkout holding ``specs_root`` that has the pinned
    parser; None outside a checkout. A parser elsewhere is never used: its version would
    decide what counts as valid."""
    for folder in (specs_root.resolve(), *specs_root.resolve().parents):
        modules = folder / "node_modules"
        if (modules / PARSER_PACKAGE / "package.json").is_file():
            return modules
    return None


def _diagnostics(node: str, modules: Path, document: Path) -> list[dict[str, Any]]:
    try:
        completed = subprocess.run(
            [node, str(_SCRIPT), str(modules), str(document)],
            capture_output=True,
            text=True,
            check=False,
            timeout=_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CheckAborted(f"could not run the AsyncAPI parser with {node}: {exc}") from exc
    if completed.returncode != 0:
        raise CheckAborted(
            f"the AsyncAPI parser failed on {document}: {completed.stderr.strip()[-1000:]}"
        )
    found = json.loads(completed.stdout or "[]")
    return found if isinstance(found, list) else []


def check_asyncapi_validity(document: Path, modules: Path) -> list[Finding]:
    node = shutil.which("node")
    if node is None:
        raise CheckAborted("Node.js is needed to run the AsyncAPI parser: run `make setup`")
    findings = []
    for item in _diagnostics(node, modules, document):
        if item.get("severity") not in _PROBLEM_SEVERITIES:
            continue
        source = Path(item["source"]) if item.get("source") else document
        where = "/".join(str(part) for part in item.get("path") or [])
        findings.append(
            Finding(
                source,
                int(item.get("line") or 0),
                int(item.get("col") or 0),
                "ASY001",
                f"{item.get('message', '')} (parser rule {item.get('code')}, at /{where})",
                "see the AsyncAPI 3.0 specification for this object; "
                "a $ref must name an existing file and pointer",
            )
        )
    return findings
