"""The ```mermaid fence: a ``<div class="mermaid-diagram">`` kept out of the search index.

``docs/assets/javascripts/mermaid-init.js`` turns the div into an SVG in the browser; the
div's text is the diagram *source*, which means nothing to a reader in a search result,
so Material's search skips it (``data-search-exclude``). Named in ``mkdocs.yml``.
"""

from __future__ import annotations

from typing import Any

from pymdownx.superfences import fence_div_format

__all__ = ["fence_mermaid"]


def fence_mermaid(
    source: str, language: str, class_name: str, options: dict[str, Any], md: Any, **kwargs: Any
) -> str:
    kwargs["attrs"] = {**kwargs.get("attrs", {}), "data-search-exclude": ""}
    return str(fence_div_format(source, language, class_name, options, md, **kwargs))
