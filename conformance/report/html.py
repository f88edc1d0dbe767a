"""One self-contained HTML page: the requirements x result matrix, failures expandable.

Rendered from the same run result and requirement verdicts as the JSON, JUnit and Markdown
reports. Everything is inside the file (styles, a ten-line script for the failures filter, no
fonts, images or links to fetch), so a CI artifact opens offline. The OWASP API Security Top
10 categories get a row of their own: each category shows the worst status of the
requirements tagged with it.

``main([conformance.json, out.html])`` re-renders the page from a saved JSON report (the docs
build does, for the guide's screenshot).
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path
from typing import Any

from refarch.conformance.results import RequirementVerdict, RunResult, TestRecord
from refarch.requirements import RequirementCatalog

__all__ = ["render_html", "verdicts_from_json", "write_html"]

OWASP_2023 = {
    "API1:2023": "Broken Object Level Authorization",
    "API2:2023": "Broken Authentication",
    "API3:2023": "Broken Object Property Level Authorization",
    "API4:2023": "Unrestricted Resource Consumption",
    "API5:2023": "Broken Function Level Authorization",
    "API6:2023": "Unrestricted Access to Sensitive Business Flows",
    "API7:2023": "Server Side Request Forgery",
    "API8:2023": "Security Misconfiguration",
    "API9:2023": "Improper Inventory Management",
    "API10:2023": "Unsafe Consumption of APIs",
}
_OUTCOMES = ("passed", "failed", "skipped")
_LABEL = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP", "untested": "—"}

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1f1f1f; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
.meta { color: #555; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e2e2e2; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; text-align: center; border-radius: 3px; white-space: nowrap; }
.passed { background: #e3f4e6; color: #14632b; } .failed { background: #fbe3e1; color: #9b1c13; }
.skipped { background: #fff4d6; color: #7a5600; } .untested { background: #f0f0f0; color: #777; }
.owasp td { width: 10%; font-size: 12px; } .owasp td b { display: block; font-size: 13px; }
body.only-failures tr.requirement:not([data-status="failed"]) { display: none; }
h1.verdict-passed { color: #14632b; } h1.verdict-failed { color: #9b1c13; }
details { margin: .2rem 0 .6rem; } summary { cursor: pointer; font-weight: 600; }
pre { background: #f7f7f7; border: 1px solid #e2e2e2; padding: .5rem; overflow-x: auto;
      white-space: pre-wrap; word-break: break-word; max-height: 24rem; font-size: 12px; }
.filter { margin: .8rem 0; }
"""

_SCRIPT = """
document.getElementById("only-failures").addEventListener("change", function (event) {
  document.body.classList.toggle("only-failures", event.target.checked);
});
"""


def _pre(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"


def _owasp_row(verdicts: list[RequirementVerdict]) -> str:
    cells = []
    for category, name in OWASP_2023.items():
        tagged = [v for v in verdicts if category in v.owasp]
        statuses = {v.status for v in tagged}
        status = next((s for s in ("failed", "skipped", "passed") if s in statuses), "untested")
        ids = ", ".join(v.id for v in tagged) or "no requirement in this run"
        cells.append(
            f'<td class="{status}" title="{escape(name)}: {escape(ids)}" data-owasp="{category}">'
            f"<b>{escape(category.split(':')[0])}</b>{escape(name)}<br>{_LABEL[status]}</td>"
        )
    return f'<table class="owasp"><tr>{"".join(cells)}</tr></table>'


def _exchange(exchange: dict[str, Any]) -> str:
    request, response = exchange["request"], exchange["response"]
    request_text = f"{request['method']} {request['url']}\n" + "".join(
        f"{key}: {value}\n" for key, value in (request.get("headers") or {}).items()
    )
    if request.get("body"):
        request_text += "\n" + str(request["body"])
    response_text = f"HTTP {response['status']}\n" + "".join(
        f"{key}: {value}\n" for key, value in (response.get("headers") or {}).items()
    )
    if response.get("body"):
        response_text += "\n" + str(response["body"])
    return f"<h4>Request</h4>{_pre(request_text)}<h4>Response</h4>{_pre(response_text)}"


def _failed_test(test: TestRecord, expanded: bool) -> str:
    parts = [f"<details{' open' if expanded else ''}><summary>{escape(test.nodeid)}</summary>"]
    parts.append(f"<p>{escape(test.message)}</p>")
    if test.expected:
        parts.append(f"<h4>Expected</h4>{_pre(test.expected)}")
        parts.append(f"<h4>Actual</h4>{_pre(test.actual)}")
    for exchange in test.exchanges[-1:]:
        parts.append(_exchange(exchange))
    if not test.exchanges and test.details:
        parts.append(f"<h4>What was checked and what came back</h4>{_pre(test.details)}")
    if test.curl:
        parts.append(f"<h4>Reproduce</h4>{_pre(chr(10).join(test.curl[-3:]))}")
    parts.append("</details>")
    return "".join(parts)


def _matrix(verdicts: list[RequirementVerdict], expanded: bool) -> str:
    rows = [
        "<table class='matrix'><tr><th>requirement</th><th>title</th><th>OWASP</th>"
        "<th>result</th>" + "".join(f"<th>tests {o}</th>" for o in _OUTCOMES) + "<th>why</th></tr>"
    ]
    for v in verdicts:
        counts = {o: sum(t.outcome == o for t in v.tests) for o in _OUTCOMES}
        cells = "".join(
            f'<td class="n{" " + o if counts[o] else ""}">{counts[o]}</td>' for o in _OUTCOMES
        )
        rows.append(
            f'<tr class="requirement" id="{escape(v.id)}" data-status="{v.status}">'
            f"<td>{escape(v.id)}</td><td>{escape(v.title)}</td>"
            f"<td>{escape(', '.join(v.owasp))}</td>"
            f'<td class="status {v.status}">{_LABEL[v.status]}</td>{cells}'
            f"<td>{escape(v.reason)}</td></tr>"
        )
        if v.status == "failed":
            failures = "".join(_failed_test(t, expanded) for t in v.tests if t.outcome == "failed")
            rows.append(
                f'<tr class="requirement evidence" data-status="failed"><td></td><td colspan="7">'
                f"<p><b>Expected behaviour:</b> {escape(v.statement)}</p>{failures}</td></tr>"
            )
    rows.append("</table>")
    return "".join(rows)


def render_html(
    result: RunResult,
    verdicts: list[RequirementVerdict],
    *,
    expanded: bool = False,
    only_failures: bool = False,
) -> str:
    """The page. For a screenshot, ``expanded`` opens every failure (otherwise one click
    each) and ``only_failures`` starts with the failures filter on."""
    counts = {status: sum(v.status == status for v in verdicts) for status in _OUTCOMES}
    verdict = "CONFORMANT" if result.failed == 0 else "NOT CONFORMANT"
    title = f"Conformance report: {verdict}"
    quick = " (quick)" if result.quick else ""
    checked = " checked" if only_failures else ""
    seed = result.seed if result.seed is not None else "random"
    body = [
        f'<h1 class="verdict-{"passed" if result.failed == 0 else "failed"}">{escape(title)}</h1>',
        f'<p class="meta">Target {escape(result.target)} · spec {escape(result.version)} · '
        f"services {escape(', '.join(result.services))} · max examples {result.max_examples}"
        f"{quick} · seed {seed} · {escape(result.started)} → {escape(result.finished)}</p>",
        f"<p>Requirements: <b>{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped</b> (a skip is never a pass).</p>",
        "<h2>OWASP API Security Top 10 (2023)</h2>",
        _owasp_row(verdicts),
        "<h2>Requirements</h2>",
        f'<label class="filter"><input type="checkbox" id="only-failures"{checked}> '
        "show only failed requirements</label>",
        _matrix(verdicts, expanded),
    ]
    if result.notes:
        body.append("<h2>Notes</h2><ul>")
        body += [f"<li>{escape(note)}</li>" for note in result.notes]
        body.append("</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n"
        f'<body class="{"only-failures" if only_failures else ""}">\n'
        + "\n".join(body)
        + f"\n<script>{_SCRIPT}</script>\n</body></html>\n"
    )


def write_html(
    result: RunResult, verdicts: list[RequirementVerdict], path: Path, **options: bool
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result, verdicts, **options), encoding="utf-8")


def verdicts_from_json(document: dict[str, Any]) -> tuple[RunResult, list[RequirementVerdict]]:
    """The run and its verdicts back from a ``conformance.json`` report."""
    run = dict(document["run"])
    tests = [TestRecord(**test) for test in run.pop("tests")]
    result = RunResult(**run, tests=tests)
    by_id = {test.nodeid: test for test in tests}
    catalog = RequirementCatalog.load(result.version)  # the JSON leaves the statements out
    verdicts = [
        RequirementVerdict(
            id=entry["id"],
            title=entry["title"],
            statement=catalog.get(entry["id"]).statement if entry["id"] in catalog else "",
            owasp=list(entry.get("owasp", [])),
            status=entry["status"],
            reason=entry["reason"],
            tests=[by_id[nodeid] for nodeid in entry["tests"] if nodeid in by_id],
        )
        for entry in document["requirements"]
    ]
    return result, verdicts


def main(argv: list[str]) -> int:
    flags = {"--expanded": "expanded", "--only-failures": "only_failures"}
    options = {flags[arg]: True for arg in argv if arg in flags}
    paths = [arg for arg in argv if arg not in flags]
    if len(paths) != 2:
        print(
            "usage: main([CONFORMANCE_JSON, OUT_HTML, '--expanded'?, '--only-failures'?])",
            file=sys.stderr,
        )
        return 2
    source, target = Path(paths[0]), Path(paths[1])
    try:
        result, verdicts = verdicts_from_json(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read {source} as a conformance.json report: {exc}", file=sys.stderr)
        return 2
    write_html(result, verdicts, target, **options)
    return 0
