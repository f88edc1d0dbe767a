"""The HTML conformance report of a faulty server, opened in a real Chromium.

One run of ``refarch conform`` against the reference implementation with one planted fault
(responses leak a password hash, breaking USR-005): the page must load with no console error
and no request beyond the file itself, show USR-005 failed in the matrix and in the OWASP row,
filter to failures, and expand the failure to its request, response and curl line. The same
run's log shows the live progress per layer (its output is not a terminal: plain lines).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conformance.conform_runner import ConformRun, run_conform
from tests.conformance.faults.conftest import ALL_FAULTS, FaultyReference
from tests.conformance.faults.conftest import faulty_reference as faulty_reference  # fixture

#: one worker runs them all under `make test` (--dist loadgroup): they share one faulty server
#: and one conform run
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("html-report")]

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own download does not work offline
PLANTED = next(fault for fault in ALL_FAULTS if fault.name == "leaks-password-hash")
#: the planted failure plus requirements the fault leaves alone, so the matrix has both
SELECTED = ("USR-005", "AUTH-001", "AUTH-002")


@pytest.fixture(scope="module")
def faulty_run(
    faulty_reference: FaultyReference, tmp_path_factory: pytest.TempPathFactory
) -> ConformRun:
    server = faulty_reference.server
    faulty_reference.switch.active = PLANTED
    try:
        return run_conform(
            server.base_url, tmp_path_factory.mktemp("html-report"),
            "--quick", "--seed", "7", "--requirements", ",".join(SELECTED),
            admin_email=server.admin_email, admin_password=server.admin_password,
        )  # fmt: skip
    finally:
        faulty_reference.switch.active = None


@pytest.fixture(scope="module")
def browser(faulty_run: ConformRun) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread until it stops; the faulty
    # server's set-up (and tear-down) calls asyncio.run(), so it must happen outside it
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def report_page(browser: Browser, faulty_run: ConformRun) -> Iterator[tuple[Page, list[str]]]:
    """The page, and every console error and non-file request it caused."""
    assert faulty_run.exit_code == 1, faulty_run.output[-4000:]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda r: problems.append(f"fetched {r.url}") if not r.url.startswith("file:") else None,
    )
    page.goto((faulty_run.report_dir / "conformance.html").as_uri())
    yield page, problems
    context.close()


def test_the_log_shows_progress_per_layer_with_the_failure(faulty_run: ConformRun) -> None:
    lines = faulty_run.output.splitlines()
    assert any(line.startswith("conformance: ") and "tests (" in line for line in lines)
    # the last progress line: every layer complete, the planted failure counted
    final = [line for line in lines if "/" in line and "failed)" in line]
    assert final, faulty_run.output[-3000:]
    assert "(1 failed)" in final[-1]
    assert " .." not in faulty_run.output  # no pytest dots next to the progress


def test_the_report_opens_with_no_console_error_and_no_external_fetch(
    report_page: tuple[Page, list[str]],
) -> None:
    page, problems = report_page
    assert page.title() == "Conformance report: NOT CONFORMANT"
    assert problems == []


def test_the_matrix_and_the_owasp_row_show_the_planted_failure(
    report_page: tuple[Page, list[str]],
) -> None:
    page, _ = report_page
    assert page.locator("tr#USR-005 td.status").inner_text() == "FAIL"
    assert page.locator("tr#AUTH-001 td.status").inner_text() == "PASS"
    api3 = page.locator("td[data-owasp='API3:2023']")  # USR-005's category
    assert "FAIL" in api3.inner_text()
    assert "failed" in (api3.get_attribute("class") or "")


def test_filtering_to_failures_hides_the_passing_requirements(
    report_page: tuple[Page, list[str]],
) -> None:
    page, _ = report_page
    assert page.locator("tr#AUTH-001").is_visible()
    page.locator("#only-failures").check()
    assert not page.locator("tr#AUTH-001").is_visible()
    assert page.locator("tr#USR-005").is_visible()


def test_a_failure_expands_to_request_response_and_curl(
    report_page: tuple[Page, list[str]],
) -> None:
    page, _ = report_page
    failure = page.locator("tr.evidence details").first
    assert not failure.locator("h4", has_text="Reproduce").is_visible()
    failure.locator("summary").click()
    text = failure.inner_text()
    for heading in ("Request", "Response", "Reproduce"):
        assert failure.locator("h4", has_text=heading).first.is_visible(), heading
    assert "password_hash" in text  # the leaked member, in the response shown
    assert "curl " in text


def test_quiet_keeps_pytests_own_lines_and_no_progress(
    faulty_reference: FaultyReference, tmp_path: Path
) -> None:
    server = faulty_reference.server
    run = run_conform(
        server.base_url, tmp_path, "-q", "--quick", "--requirements", "AUTH-001",
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip
    assert run.exit_code == 0, run.output[-3000:]
    assert "::test_registration_creates_an_active_customer PASSED" in run.output
    assert "conformance: " not in run.output
