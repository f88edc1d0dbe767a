"""The built site in a real browser (Debian Chromium driven by Playwright), served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from refarch.specs import operations
from tests.docs.conftest import BuiltSite

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own download does not work offline
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
SEARCHED_OPERATION = "placeOrder"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-extensions",
            ],
        )
        yield browser
        browser.close()


class RequestLog:
    """Every URL the page asked for; anything not on this machine is recorded and refused."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        self.urls.append(url)
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            route.abort()

    @property
    def remote(self) -> list[str]:
        return [
            u
            for u in self.urls
            if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).hostname not in LOOPBACK
        ]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_home_page_renders_with_navigation_and_no_console_errors(page: Page, site_url: str) -> None:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(site_url + "index.html")
    assert page.title() == "refarch"
    assert page.locator("article h1").first.inner_text().startswith("refarch")
    assert page.locator(".md-tabs__link").count() >= 3
    assert page.locator("article img[src$='context.svg']").evaluate("img => img.naturalWidth") > 0
    assert errors == []


def test_api_page_renders_every_operation_of_the_service(page: Page, site_url: str) -> None:
    page.goto(site_url + "reference/v1/api/orders.html")
    for op in operations("v1", ("orders",)):
        heading = page.locator(f"h3[id='{op.operation_id}']")
        assert heading.count() == 1, op.operation_id
    assert page.locator("article table").count() > 5


def test_search_finds_an_operation_by_its_operation_id(page: Page, site_url: str) -> None:
    assert SEARCHED_OPERATION in {op.operation_id for op in operations("v1")}
    page.goto(site_url + "index.html")
    page.locator("input.md-search__input").click()
    page.keyboard.type(SEARCHED_OPERATION)  # Material searches on key events, not on .fill()
    hit = page.locator(
        f".md-search-result a[href*='reference/v1/api/orders.html'][href$='#{SEARCHED_OPERATION}']"
    )
    hit.first.wait_for(state="attached", timeout=15_000)
    assert hit.count() >= 1


def test_er_diagram_renders_to_svg(page: Page, site_url: str) -> None:
    page.goto(site_url + "reference/v1/data/orders.html")
    diagram = page.locator("div.mermaid-diagram[data-rendered='ok'] svg")
    diagram.first.wait_for(state="attached", timeout=15_000)
    text = diagram.first.inner_html()
    assert "order_items" in text and "idempotency_keys" in text


@pytest.mark.slow
def test_browsing_the_site_never_leaves_the_machine(page: Page, site_url: str) -> None:
    log = RequestLog(page)
    for path in (
        "index.html",
        "reference/v1/index.html",
        "reference/v1/api/users.html",
        "reference/v1/data/catalog.html",
        "reference/v1/requirements.html",
        "architecture/deployment.html",
    ):
        page.goto(site_url + path, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type("login")
    page.locator(".md-search-result__item").first.wait_for(state="attached", timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert len(log.urls) > 10, "the request log recorded nothing; is routing active?"
    assert log.remote == []


def test_the_site_works_opened_from_disk(page: Page, built_site: BuiltSite) -> None:
    # file:// needs the inlined search index (offline plugin) and the vendored iframe-worker
    page.goto((built_site.site / "reference" / "v1" / "data" / "orders.html").as_uri())
    page.locator("div.mermaid-diagram[data-rendered='ok'] svg").first.wait_for(
        state="attached", timeout=15_000
    )
    page.locator("input.md-search__input").click()
    page.keyboard.type(SEARCHED_OPERATION)
    hit = page.locator(
        f".md-search-result a[href*='api/orders.html'][href$='#{SEARCHED_OPERATION}']"
    )
    hit.first.wait_for(state="attached", timeout=15_000)
