"""The human summary: verdict first, then every requirement with its tests and evidence."""

from __future__ import annotations

import json
from pathlib import Path

from refarch.conformance.results import RequirementVerdict, RunResult, TestRecord

__all__ = ["render_markdown", "write_markdown"]

_ICON = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


def _fence(text: str, lang: str = "") -> list[str]:
    return [f"```{lang}", text.rstrip(), "```"]


def _failure(test: TestRecord) -> list[str]:
    lines = [f"- **{test.nodeid}**"]
    if test.expected:
        lines += [f"  - expected: {test.expected}", f"  - actual: `{test.actual[:300]}`"]
    else:
        lines.append(f"  - {test.message}")
    for exchange in test.exchanges[-1:]:
        request, response = exchange["request"], exchange["response"]
        lines += ["", f"  Request: `{request['method']} {request['url']}`"]
        if request["body"]:
            lines += _fence(request["body"][:1000], "json")
        lines += [f"  Response: HTTP {response['status']}"]
        lines += _fence(
            json.dumps(response["headers"], indent=1)[:600] + "\n" + response["body"][:1000]
        )
    if not test.exchanges and test.details:
        lines += ["", "  What was checked and what came back:", *_fence(test.details[:3000])]
    if test.curl:
        lines += ["", "  Reproduce:", *_fence("\n".join(test.curl[-3:]), "sh")]
    return lines


def _budget_lines(result: RunResult) -> list[str]:
    """What the run spent of the target's per-address limits (see conformance.budget)."""
    if not result.address_budget:
        return []
    spent, budget = result.address_budget["spent"], result.address_budget["budget"]
    withheld = result.address_budget.get("generated_cases_withheld", 0)
    return [
        f"From its client address the run made {spent['registrations']} registrations and "
        f"{spent['failed_logins']} failed logins (budget per run: {budget['registrations']} "
        f"and {budget['failed_logins']}); {withheld} generated cases were not sent to stay "
        "within it.",
        "",
    ]


def render_markdown(result: RunResult, verdicts: list[RequirementVerdict]) -> str:
    counts = {status: sum(v.status == status for v in verdicts) for status in _ICON}
    verdict = "CONFORMANT" if result.failed == 0 else "NOT CONFORMANT"
    lines = [
        f"# Conformance report: {verdict}",
        "",
        f"Target `{result.target}` · spec {result.version} · services {', '.join(result.services)}",
        f"· max examples {result.max_examples}{' (quick)' if result.quick else ''}"
        f" · seed {result.seed if result.seed is not None else 'random'}"
        f"{f' (`--seed {result.seed}` replays it)' if result.seed is not None else ''}"
        f" · {result.started} → {result.finished}",
        "",
        f"Requirements: **{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped** (a skip is never a pass). Tests: "
        + ", ".join(f"{sum(t.outcome == o for t in result.tests)} {o}" for o in _ICON),
        "",
        *_budget_lines(result),
        "| requirement | status | title | OWASP | why |",
        "|---|---|---|---|---|",
    ]
    for v in verdicts:
        lines.append(
            f"| {v.id} | {_ICON[v.status]} | {v.title} | {', '.join(v.owasp)} | {v.reason} |"
        )
    failing = [v for v in verdicts if v.status == "failed"]
    if failing:
        lines += ["", "## Failures", ""]
        for v in failing:
            lines += [f"### {v.id}: {v.title}", "", f"Expected behaviour: {v.statement}", ""]
            for test in v.tests:
                if test.outcome == "failed":
                    lines += [*_failure(test), ""]
    skipped = [t for t in result.tests if t.outcome == "skipped"]
    if skipped:
        lines += ["", "## Skipped tests", ""]
        lines += [f"- {t.nodeid}: {t.message}" for t in skipped]
    if result.waivers:
        lines += ["", "## Waivers in force (conformance/schemathesis.toml)", ""]
        lines += [f"- `{w['operation']}` `{w['check']}`: {w['reason']}" for w in result.waivers]
    if result.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def write_markdown(result: RunResult, verdicts: list[RequirementVerdict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(result, verdicts), encoding="utf-8")
