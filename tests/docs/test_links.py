"""No broken internal link or anchor in the built site.

Two independent checks. Debian's ``linkchecker`` crawls the served site like a client
(it once found a broken raw-HTML link that mkdocs strict mode had missed). Its anchor
plugin re-downloads a page for every distinct ``#fragment`` and took minutes on the
reference pages, so fragments are checked here instead, from the built HTML itself.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from refarch.docsgen.static_server import QuietHandler, serving
from tests.docs.conftest import BuiltSite

LINKCHECKER = shutil.which("linkchecker") or "/usr/bin/linkchecker"

# linkchecker throttles itself to a few requests per second per host unless the server
# answers with a `LinkChecker` header; this throw-away test server does.
CONFIG = """\
[checking]
threads=4
maxrequestspersecond=1000

[filtering]
checkextern=0
"""


class LinkCheckerWelcomeHandler(QuietHandler):
    def end_headers(self) -> None:
        self.send_header("LinkChecker", "welcome")
        super().end_headers()


class _IdsAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))


@pytest.mark.slow
def test_linkchecker_finds_no_broken_internal_links(built_site: BuiltSite, tmp_path: Path) -> None:
    config = tmp_path / "linkcheckerrc"
    config.write_text(CONFIG, encoding="utf-8")
    with serving(built_site.site, handler_class=LinkCheckerWelcomeHandler) as url:
        result = subprocess.run(
            [
                LINKCHECKER,
                "--config",
                str(config),
                "--no-status",
                "--no-warnings",
                "-o",
                "text",
                # vendored scripts are large and contain no links worth following
                "--ignore-url",
                "/assets/vendor/",
                url + "index.html",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_every_internal_fragment_names_an_element_of_its_target_page(built_site: BuiltSite) -> None:
    pages: dict[Path, _IdsAndLinks] = {}
    for html in built_site.site.rglob("*.html"):
        parser = _IdsAndLinks()
        parser.feed(html.read_text(encoding="utf-8"))
        pages[html.resolve()] = parser
    broken = []
    for source, parser in pages.items():
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.fragment:
                continue
            target = (source.parent / unquote(parts.path)).resolve() if parts.path else source
            if target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append(f"{source.relative_to(built_site.site.resolve())}: {href}")
    assert not broken, "links to missing anchors:\n" + "\n".join(sorted(set(broken))[:50])
