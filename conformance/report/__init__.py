"""Report writers: JSON for machines, JUnit XML for CI, Markdown and HTML for people.

All four are rendered from the same :class:`~conformance.results.RunResult`, grouped by
requirement, so they never disagree.
"""

from __future__ import annotations

from pathlib import Path

from refarch.conformance.options import RunOptions
from refarch.conformance.report.html import write_html
from refarch.conformance.report.json_report import write_json
from refarch.conformance.report.junit import write_junit
from refarch.conformance.report.markdown import write_markdown
from refarch.conformance.results import RunResult, requirement_verdicts
from refarch.requirements import RequirementCatalog

__all__ = ["ReportPaths", "write_reports"]

JSON_NAME = "conformance.json"
MARKDOWN_NAME = "conformance.md"
JUNIT_NAME = "junit.xml"
HTML_NAME = "conformance.html"


class ReportPaths:
    def __init__(self, report_dir: Path, junit_xml: Path | None) -> None:
        self.json = report_dir / JSON_NAME
        self.markdown = report_dir / MARKDOWN_NAME
        self.junit = junit_xml or report_dir / JUNIT_NAME
        self.html = report_dir / HTML_NAME


def write_reports(
    result: RunResult,
    catalog: RequirementCatalog,
    report_dir: Path,
    junit_xml: Path | None,
    options: RunOptions,
) -> ReportPaths:
    paths = ReportPaths(report_dir, junit_xml)
    verdicts = requirement_verdicts(result, catalog, list(options.requirements) or None)
    write_json(result, verdicts, paths.json)
    write_junit(result, verdicts, paths.junit)
    write_markdown(result, verdicts, paths.markdown)
    write_html(result, verdicts, paths.html)
    return paths
