"""The machine-readable result: every test record plus the verdict per requirement."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from refarch.conformance.results import RequirementVerdict, RunResult

__all__ = ["write_json"]


def write_json(result: RunResult, verdicts: list[RequirementVerdict], path: Path) -> None:
    counts = {status: 0 for status in ("passed", "failed", "skipped")}
    for verdict in verdicts:
        counts[verdict.status] += 1
    document = {
        "conformant": result.failed == 0,
        "summary": {
            "requirements": counts,
            "tests": {
                outcome: sum(test.outcome == outcome for test in result.tests)
                for outcome in ("passed", "failed", "skipped")
            },
        },
        "requirements": [
            {
                "id": v.id,
                "title": v.title,
                "owasp": v.owasp,
                "status": v.status,
                "reason": v.reason,
                "tests": [test.nodeid for test in v.tests],
            }
            for v in verdicts
        ],
        "run": asdict(result),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
