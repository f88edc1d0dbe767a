"""The HTML conformance report as text: what a target sends cannot become markup, and a saved
JSON report renders to the same page as the run did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refarch.conformance.options import RunOptions
from refarch.conformance.report import write_reports
from refarch.conformance.report.html import main, render_html, verdicts_from_json
from refarch.conformance.results import RunResult, TestRecord, requirement_verdicts
from refarch.requirements import RequirementCatalog

HOSTILE = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def hostile_run() -> RunResult:
    """A failure whose evidence is whatever the target sent back: here, markup."""
    exchange = {
        "request": {
            "method": "GET",
            "url": "http://target/api/v1/users/me",
            "headers": {},
            "body": "",
        },
        "response": {"status": 200, "headers": {"x-evil": HOSTILE}, "body": HOSTILE},
        "curl": "curl http://target/api/v1/users/me",
    }
    failed = TestRecord(
        nodeid="test_security_data.py::test_leak",
        name="test_leak",
        requirements=["USR-005"],
        outcome="failed",
        message=HOSTILE,
        expected="no password or hash",
        actual=HOSTILE,
        exchanges=[exchange],
        curl=["curl http://target/api/v1/users/me"],
    )
    passed = TestRecord("test_auth.py::test_ok", "test_ok", ["AUTH-001"], "passed")
    return RunResult(
        target="http://target",
        version="v1",
        services=["users"],
        seed=7,
        max_examples=3,
        quick=True,
        started="2026-11-29T20:00:00+00:00",
        finished="2026-11-29T20:00:10+00:00",
        tests=[failed, passed],
    )


def test_markup_from_the_target_is_shown_as_text() -> None:
    result = hostile_run()
    verdicts = requirement_verdicts(result, RequirementCatalog.load("v1"), ["USR-005", "AUTH-001"])

    page = render_html(result, verdicts)

    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # the report's own filter script, nothing else


def test_a_saved_json_report_renders_the_same_page(tmp_path: Path) -> None:
    result = hostile_run()
    options = RunOptions(
        base_url="http://target",
        admin_email="",
        admin_password="",
        version="v1",
        services=("users",),
        max_examples=3,
        seed=7,
        quick=True,
        requirements=("USR-005", "AUTH-001"),
    )
    paths = write_reports(result, RequirementCatalog.load("v1"), tmp_path, None, options)

    assert main([str(paths.json), str(tmp_path / "again.html")]) == 0

    assert (tmp_path / "again.html").read_text(encoding="utf-8") == paths.html.read_text(
        encoding="utf-8"
    )
    reread, verdicts = verdicts_from_json(json.loads(paths.json.read_text(encoding="utf-8")))
    assert reread.failed == 1 and [v.status for v in verdicts] == ["passed", "failed"]


def test_a_file_that_is_not_a_report_is_refused_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "junit.xml"
    source.write_text("<testsuites/>", encoding="utf-8")
    assert main([str(source), str(tmp_path / "out.html")]) == 2
    assert f"cannot read {source} as a conformance.json report" in capsys.readouterr().err
    assert not (tmp_path / "out.html").exists()
