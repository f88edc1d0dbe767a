"""Generated blocks inside hand-written chapters: ``<!-- refarch:NAME -->`` markers.

The MkDocs hook (``mkdocs_hooks.on_page_markdown``) replaces each marker with Markdown
rendered at build time, from results files, data files and the specs. A plain string
substitution, no template language: the chapters stay plain Markdown, and a marker with
no renderer fails the build by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from refarch.docsgen.measured import render_bench, render_load

__all__ = ["MARKER", "InsertError", "expand"]

MARKER = re.compile(r"<!--\s*refarch:([a-z0-9-]+)\s*-->")


class InsertError(ValueError):
    """A marker names no renderer, or its renderer failed; says which page and why."""


def _renderers() -> dict[str, Callable[[Path], str]]:
    # imported here: each renderer reads its own inputs only when a page asks for it
    from refarch.docsgen.api_changes import (
        render_changelog,
        render_diff_example,
        render_diff_rules,
        render_sql_expand_rules,
    )
    from refarch.docsgen.cost import render_cost, render_cost_inputs
    from refarch.docsgen.personal_data import render_personal_data

    return {
        "bench": render_bench,
        "load": render_load,
        "cost": render_cost,
        "cost-inputs": render_cost_inputs,
        "personal-data": render_personal_data,
        "diff-rules": render_diff_rules,
        "diff-example": render_diff_example,
        "sql-expand-rules": render_sql_expand_rules,
        "api-changelog": render_changelog,
    }


def expand(markdown: str, docs_dir: Path, page: str) -> str:
    renderers = _renderers()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in renderers:
            raise InsertError(f"{page}: no renderer for <!-- refarch:{name} -->")
        return renderers[name](docs_dir)

    return MARKER.sub(replace, markdown)
