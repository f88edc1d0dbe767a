"""Everything a judged run leaves in the report directory.

``verdict.md`` (the table, then the charts, for a pull-request comment or a CI summary),
``verdict.json`` for tools, ``charts/<name>.svg`` for the run as a whole and each operation,
and ``report.html``, one self-contained page with the table and every chart.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from refarch.loadtests import render
from refarch.loadtests.charts import render_chart
from refarch.loadtests.history import HISTORY_CSV, OVERALL, Series, read_history
from refarch.loadtests.report_page import render_page
from refarch.loadtests.verdict import Row, Verdict

__all__ = ["CHARTS_DIR", "ReportFiles", "charts_markdown", "write_report_files"]

CHARTS_DIR = "charts"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    json: Path
    html: Path
    charts: dict[str, Path]  # name -> SVG file


def _chart_file(name: str) -> str:
    # operationIds are identifiers already; anything else must still make a safe file name
    return f"{_UNSAFE.sub('_', name)}.svg"


def _rows_with_history(verdict: Verdict, history: dict[str, Series]) -> list[Row]:
    rows = [verdict.overall, *verdict.rows]
    return [row for row in rows if len(history.get(row.name, ())) > 0]


def charts_markdown(
    verdict: Verdict, charts: dict[str, Path], report_dir: Path, chart_url: str | None = None
) -> str:
    """The charts as Markdown images, overall first and the operations folded away.

    Links are relative to the report directory, or under ``chart_url`` where CI publishes
    the ``charts/`` folder: a pull-request comment can only show images it can fetch."""
    if not charts:
        return ""

    def image(name: str) -> str:
        relative = charts[name].relative_to(report_dir).as_posix()
        link = f"{chart_url.rstrip('/')}/{relative}" if chart_url else relative
        return f"![{name}: latency percentiles and throughput over time]({link})"

    lines = ["", "#### Latency and throughput over time", ""]
    if OVERALL in charts:
        lines += [image(OVERALL), ""]
    operations = [name for name in charts if name != OVERALL]
    if operations:
        lines += ["<details><summary>Per operation</summary>", ""]
        for name in operations:
            lines += [image(name), ""]
        lines += ["</details>", ""]
    return "\n".join(lines)


def write_report_files(
    verdict: Verdict, report_dir: Path, *, chart_url: str | None = None
) -> ReportFiles:
    history = read_history(report_dir / HISTORY_CSV)
    baseline_history = verdict.baseline.history if verdict.baseline is not None else {}
    charts_dir = report_dir / CHARTS_DIR
    charts_dir.mkdir(exist_ok=True)
    svgs: dict[str, str] = {}
    charts: dict[str, Path] = {}
    for row in _rows_with_history(verdict, history):
        svg = render_chart(
            f"{row.name}: {row.status}",
            history[row.name],
            row.limits,
            baseline_history.get(row.name),
        )
        path = charts_dir / _chart_file(row.name)
        path.write_text(svg, encoding="utf-8")
        svgs[row.name], charts[row.name] = svg, path

    markdown = report_dir / "verdict.md"
    markdown.write_text(
        render.to_markdown(verdict) + charts_markdown(verdict, charts, report_dir, chart_url),
        encoding="utf-8",
    )
    document = render.to_json(verdict)
    document["charts"] = {
        name: path.relative_to(report_dir).as_posix() for name, path in charts.items()
    }
    json_path = report_dir / "verdict.json"
    json_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    html = report_dir / "report.html"
    html.write_text(render_page(verdict, svgs), encoding="utf-8")
    return ReportFiles(markdown, json_path, html, charts)
