"""Every page of the built site in Chromium, at laptop and phone width.

One pass per width over every HTML page: no console error, every Mermaid block rendered to
an SVG, every image loaded, diagrams shown at a size whose labels can be read, and no
sideways scrolling of the page. Each test lists every problem it found, page by page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from refarch.docsgen.screenshots import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, take_screenshots
from tests.docs.conftest import BuiltSite

pytestmark = pytest.mark.browser

#: The smallest label of a diagrams-as-code SVG, as shown on the page, in CSS pixels (the
#: old 2,900 px wide diagrams showed theirs 3-5 px high).
MIN_LABEL_PX = 6.5
#: Only judged at laptop width: on a phone the reader opens the diagram full size instead.
LEGIBILITY_VIEWPORT = "desktop"

PAGE_PROBLEMS_JS = """
async () => {
  const problems = [];
  // Mermaid renders after load: wait until no block is pending, at most 15 s.
  for (let waited = 0; waited < 15000; waited += 100) {
    const blocks = [...document.querySelectorAll('div.mermaid-diagram')];
    if (blocks.every(b => ['ok', 'error'].includes(b.dataset.rendered))) break;
    await new Promise(r => setTimeout(r, 100));
  }
  document.querySelectorAll('div.mermaid-diagram').forEach((b, i) => {
    if (b.dataset.rendered !== 'ok' || !b.querySelector('svg')) {
      problems.push(`mermaid diagram ${i + 1} did not render (state ${b.dataset.rendered})`);
    }
  });
  for (const img of document.querySelectorAll('article img')) {
    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
    if (img.naturalWidth === 0) problems.push(`image did not load: ${img.getAttribute('src')}`);
  }
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`page scrolls sideways: ${root.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  return problems;
}
"""

SMALLEST_LABELS_JS = """
async () => {
  const found = [];
  for (const img of document.querySelectorAll("article img[src*='assets/diagrams/']")) {
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml');
    const viewBoxWidth = svg.documentElement.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('[font-size]')].map(e => parseFloat(e.getAttribute('font-size')));
    found.push([img.getAttribute('src'), Math.min(...sizes) * img.clientWidth / viewBoxWidth]);
  }
  return found;
}
"""


def site_pages(site: Path) -> list[str]:
    """Every page a reader can reach (the 404 page and vendored assets aside)."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.name != "404.html" and "assets" not in p.relative_to(site).parts
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def problems_on(page: Page, url: str, viewport: str) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="load")
    found: list[str] = page.evaluate(PAGE_PROBLEMS_JS)
    if viewport == LEGIBILITY_VIEWPORT:
        for src, pixels in page.evaluate(SMALLEST_LABELS_JS):
            if pixels < MIN_LABEL_PX:
                found.append(f"diagram {src}: smallest label {pixels:.1f} px high, unreadable")
    return found + [f"console error: {e}" for e in errors]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_page_renders_cleanly(
    browser: Browser, built_site: BuiltSite, site_url: str, viewport: str
) -> None:
    pages = site_pages(built_site.site)
    assert len(pages) > 30, pages  # the chapters, ADRs and generated reference pages
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    report: dict[str, list[str]] = {}
    try:
        for relative in pages:
            page = context.new_page()  # fresh listeners per page: errors stay attributed
            found = problems_on(page, site_url + relative, viewport)
            page.close()
            if found:
                report[relative] = found
    finally:
        context.close()
    assert report == {}, json.dumps(report, indent=2)


def test_mermaid_source_is_not_in_the_search_index(built_site: BuiltSite) -> None:
    index = json.loads((built_site.site / "search" / "search_index.json").read_text("utf-8"))
    texts = [doc["text"] for doc in index["docs"]]
    assert any("outbox" in t for t in texts), "the index lost the chapters' text"
    leaked = [t[:80] for t in texts if "sequenceDiagram" in t or "erDiagram" in t or "->>" in t]
    assert leaked == []


def test_one_command_shoots_the_key_pages_at_both_widths(
    browser: Browser, built_site: BuiltSite, tmp_path: Path
) -> None:
    shots = take_screenshots(built_site.site, tmp_path, {"home": "index.html"}, browser=browser)
    assert sorted(s.path.name for s in shots) == ["home-desktop.png", "home-phone.png"]
    for shot in shots:
        header = shot.path.read_bytes()[:24]
        assert header.startswith(b"\x89PNG\r\n\x1a\n")
        width = int.from_bytes(header[16:20], "big")
        assert width == VIEWPORTS[shot.viewport][0], shot


def test_a_diagram_opens_full_size_in_a_lightbox(browser: Browser, site_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(site_url + "architecture/containers.html")
        page.locator("article a.glightbox img[src$='containers.svg']").click()
        opened = page.locator(".glightbox-container .gslide-image img")
        opened.first.wait_for(state="visible", timeout=10_000)
        assert "containers.svg" in (opened.first.get_attribute("src") or "")
    finally:
        page.close()


#: Generated pages a developer reads on a phone: no table there may scroll sideways.
PHONE_TABLE_PAGES = (
    "reference/v1/api/orders.html",
    "reference/v1/api/users.html",
    "reference/v1/api/catalog.html",
    "reference/v1/requirements.html",
    "reference/v1/data/orders.html",
    "reference/v1/data/users.html",
)

SCROLLING_TABLES_JS = """
() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
  .filter(w => w.scrollWidth > w.clientWidth + 1)
  .map(w => `${w.querySelector('th')?.innerText}: ${w.scrollWidth} px in ${w.clientWidth} px`)
"""


def test_operation_and_requirement_tables_fit_a_phone(browser: Browser, site_url: str) -> None:
    width, height = VIEWPORTS["phone"]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        scrolling = {}
        for relative in PHONE_TABLE_PAGES:
            page.goto(site_url + relative)
            assert page.locator("article table").count() > 0, relative
            found = page.evaluate(SCROLLING_TABLES_JS)
            if found:
                scrolling[relative] = found
    finally:
        page.close()
    assert scrolling == {}
