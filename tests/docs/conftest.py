"""Fixtures for the docs tests: one strict site build per test session (per xdist worker).

The build runs in a scratch copy of ``mkdocs.yml`` and ``docs/`` so the tests never rewrite
the working tree's ``docs/reference/`` under another process's feet; the specs and the
conformance suite are read from the checkout itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from refarch.docsgen.site_build import BuildReport, build_site, checkout_root
from refarch.docsgen.static_server import serving


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the scratch checkout: mkdocs.yml, docs/, conformance -> real suite
    site: Path  # the built static site
    report: BuildReport

    def page(self, relative: str) -> str:
        return (self.site / relative).read_text(encoding="utf-8")


def scratch_checkout(base: Path) -> Path:
    """mkdocs.yml + a copy of docs/ (without generated pages) + links to the real test suites."""
    repo = checkout_root()
    base.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "mkdocs.yml", base / "mkdocs.yml")
    shutil.copytree(repo / "docs", base / "docs", ignore=shutil.ignore_patterns("reference"))
    (base / "conformance").symlink_to(repo / "conformance", target_is_directory=True)
    (base / "tests").symlink_to(repo / "tests", target_is_directory=True)
    # the cost chapter reads the sizes the Terraform reads: deploy/capacity.yaml
    (base / "deploy").symlink_to(repo / "deploy", target_is_directory=True)
    # mkdocs.yml names its hooks by path: refarch/docsgen/mkdocs_hooks.py
    (base / "refarch").symlink_to(repo / "refarch", target_is_directory=True)
    return base


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = scratch_checkout(tmp_path_factory.mktemp("docs-checkout") / "checkout")
    site = root / "site"
    report = build_site(site, root=root)
    return BuiltSite(root=root, site=site, report=report)


@pytest.fixture(scope="session")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    """The built site served on 127.0.0.1 (any free port) for the whole session."""
    with serving(built_site.site) as url:
        yield url
