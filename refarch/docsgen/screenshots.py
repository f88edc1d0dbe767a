"""Screenshots of the key pages of a built site, at desktop and phone width, for review.

``refarch docs screenshots --out DIR`` builds the site, serves it on loopback and drives the
Debian Chromium through Playwright (a dev dependency, imported only here) to write one PNG
per page and width. Full-page shots: a reviewer sees what the reader scrolls through.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refarch.docsgen.static_server import serving

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "KEY_PAGES",
    "VIEWPORTS",
    "ScreenshotError",
    "take_screenshots",
]

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own browser download is not used
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

#: name -> page (relative to the site root), in the order a reviewer reads them.
KEY_PAGES: dict[str, str] = {
    "home": "index.html",
    "containers": "architecture/containers.html",
    "deployment": "architecture/deployment.html",
    "cost": "architecture/cost.html",
    "placeOrder": "reference/v1/api/orders.html#placeOrder",
    "er-orders": "reference/v1/data/orders.html",
    "requirements": "reference/v1/requirements.html",
}

#: name -> (width, height) in CSS pixels: a laptop and a phone.
VIEWPORTS: dict[str, tuple[int, int]] = {"desktop": (1280, 900), "phone": (390, 844)}

#: The tallest full-page screenshot taken; below it the page is cut (a reviewer does not
#: need the 40th screen of a reference page, and Chromium fails on huge bitmaps).
MAX_SHOT_HEIGHT = 12_000


class ScreenshotError(RuntimeError):
    """The browser could not be started or a page could not be shot; says why."""


@dataclass(frozen=True)
class Shot:
    page: str
    viewport: str
    path: Path


def _wait_for_diagrams(page: Any) -> None:
    # Mermaid renders after load; wait until no block is still pending (or none exists).
    page.wait_for_function(
        "() => [...document.querySelectorAll('div.mermaid-diagram')]"
        ".every(d => ['ok', 'error'].includes(d.dataset.rendered))",
        timeout=20_000,
    )


def take_screenshots(
    site: Path, out: Path, pages: dict[str, str] | None = None, browser: Any = None
) -> list[Shot]:
    """Shoot ``pages`` (default: KEY_PAGES) of the built ``site`` into ``out``.

    ``browser``: an already launched Playwright browser (a test session's); by default
    Chromium is started here and stopped again.
    """
    if browser is not None:
        with serving(site) as base:
            return _shoot_all(browser, base, out, pages or KEY_PAGES)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ScreenshotError(
            "screenshots need Playwright: install the dev extras (make setup)"
        ) from exc
    if not Path(CHROMIUM).is_file():
        raise ScreenshotError(f"no Chromium at {CHROMIUM}: run make setup (installs chromium)")
    with serving(site) as base, sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            raise ScreenshotError(f"Chromium did not start: {exc}") from exc
        try:
            return _shoot_all(launched, base, out, pages or KEY_PAGES)
        finally:
            launched.close()


def _shoot_all(browser: Any, base: str, out: Path, pages: dict[str, str]) -> list[Shot]:
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Shot] = []
    for viewport, (width, height) in VIEWPORTS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            for name, relative in pages.items():
                response = page.goto(base + relative, wait_until="networkidle")
                if response is None or not response.ok:
                    raise ScreenshotError(f"{relative}: the built site has no such page")
                _wait_for_diagrams(page)
                # A page linked at an anchor is shot from that anchor down.
                top = page.evaluate("window.scrollY") if "#" in relative else 0
                full_height = page.evaluate("document.documentElement.scrollHeight")
                target = out / f"{name}-{viewport}.png"
                page.screenshot(
                    path=str(target),
                    full_page=True,
                    clip={
                        "x": 0,
                        "y": top,
                        "width": width,
                        "height": min(full_height - top, MAX_SHOT_HEIGHT),
                    },
                )
                shots.append(Shot(name, viewport, target))
        finally:
            context.close()
    return shots
