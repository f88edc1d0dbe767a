"""The report writers: verdicts per requirement, JUnit XML, Markdown evidence."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import httpx

from refarch.conformance.evidence import Exchange, redact, register_secret
from refarch.conformance.options import RunOptions
from refarch.conformance.report import write_reports
from refarch.conformance.results import RunResult, TestRecord, requirement_verdicts
from refarch.requirements import Requirement, RequirementCatalog

CATALOG = RequirementCatalog(
    "v1",
    (
        Requirement("ORD-001", "Totals", "The server computes totals.", operations=("placeOrder",)),
        Requirement("ORD-002", "No oversell", "Never oversell.", operations=("placeOrder",)),
        Requirement(
            "AUTH-010", "Expired tokens", "Expired tokens are refused.", owasp=("API2:2023",)
        ),
        Requirement("CAT-001", "Browse", "Anyone browses."),
    ),
)


def _result() -> RunResult:
    failing = TestRecord(
        nodeid="test_orders.py::test_totals",
        name="test_totals",
        requirements=["ORD-001"],
        outcome="failed",
        message="total = sum of the line totals",
        expected="total = sum of the line totals",
        actual="HTTP 201: total 1",
        curl=["curl -i -X POST http://127.0.0.1:1/api/v1/orders"],
    )
    passing = TestRecord("test_orders.py::test_race", "test_race", ["ORD-002"], "passed")
    skipped = TestRecord(
        "test_catalog.py::test_browse",
        "test_browse",
        ["CAT-001"],
        "skipped",
        message="catalog down",
    )
    return RunResult(
        "http://127.0.0.1:1",
        "v1",
        ["orders"],
        42,
        3,
        True,
        "start",
        "end",
        [failing, passing, skipped],
    )


def test_a_requirement_passes_only_when_all_its_tests_ran_and_passed() -> None:
    verdicts = {v.id: v for v in requirement_verdicts(_result(), CATALOG)}
    assert verdicts["ORD-001"].status == "failed"
    assert verdicts["ORD-002"].status == "passed"
    assert verdicts["CAT-001"].status == "skipped" and verdicts["CAT-001"].reason == "catalog down"
    assert verdicts["AUTH-010"].status == "skipped" and "signing key" in verdicts["AUTH-010"].reason


def test_reports_group_by_requirement_with_evidence(tmp_path: Path) -> None:
    options = RunOptions(
        base_url="http://127.0.0.1:1", admin_email="a@example.com", admin_password="x"
    )
    paths = write_reports(_result(), CATALOG, tmp_path, None, options)
    suites = {suite.get("name"): suite for suite in ET.parse(paths.junit).getroot()}
    requirement_cases = {
        str(case.get("name")).split()[0]: case for case in suites["requirements"].iter("testcase")
    }
    assert set(requirement_cases) == {"ORD-001", "ORD-002", "AUTH-010", "CAT-001"}
    assert requirement_cases["ORD-001"].find("failure") is not None
    skip = requirement_cases["CAT-001"].find("skipped")
    assert skip is not None and skip.get("message") == "catalog down"
    assert suites["tests"].get("tests") == "3" and suites["tests"].get("failures") == "1"
    summary = paths.markdown.read_text()
    assert summary.startswith("# Conformance report: NOT CONFORMANT")
    assert "Expected behaviour: The server computes totals." in summary
    assert "curl -i -X POST http://127.0.0.1:1/api/v1/orders" in summary
    assert "a skip is never a pass" in summary
    properties = {p.get("name"): p.get("value") for p in suites["tests"].iter("property")}
    assert properties["seed"] == "42", "the seed that replays the run is a JUnit property"
    assert "seed 42 (`--seed 42` replays it)" in summary


def test_a_requirement_with_one_test_says_one_test_passed() -> None:
    result = _result()
    verdicts = {v.id: v for v in requirement_verdicts(result, CATALOG)}
    assert verdicts["ORD-002"].reason == "1 test passed"


def test_curl_lines_replay_the_request_without_operator_secrets() -> None:
    register_secret("s3cret-admin-token", "$ADMIN_TOKEN")
    request = httpx.Request(
        "POST", "http://127.0.0.1:1/api/v1/orders", json={"a": "it's"},
        headers={"Authorization": "Bearer s3cret-admin-token"},
    )  # fmt: skip
    exchange = Exchange.from_response(httpx.Response(201, request=request, json={"id": "1"}))
    assert "s3cret-admin-token" not in exchange.curl
    assert '-H "authorization: Bearer $ADMIN_TOKEN"' in exchange.curl
    assert "--data-raw" in exchange.curl and redact("x s3cret-admin-token") == "x $ADMIN_TOKEN"
