"""The version selector on every generated reference page: the same page in each API version.

Plain Markdown links (ADR 0010: no theme plugin, so the site can move to another engine),
placed right under the generated-page notice. Every version has the same set of pages (each
service has a document in each version), so the link goes to the same page one folder over.
"""

from __future__ import annotations

from refarch.docsgen.markdown import GENERATED_NOTICE

__all__ = ["add_version_selector", "version_selector"]


def version_selector(current: str, versions: list[str], page: str) -> str:
    """``API version: **v2** · [v1](../../v1/api/orders.md)`` for ``page`` (relative to
    ``reference/<version>/``); empty when there is only one version."""
    if len(versions) < 2:
        return ""
    up = "../" * (page.count("/") + 1)
    links = [
        f"**{version}**" if version == current else f"[{version}]({up}{version}/{page})"
        for version in sorted(versions, key=lambda v: int(v.lstrip("v") or 0), reverse=True)
    ]
    return "API version: " + " · ".join(links)


def add_version_selector(text: str, current: str, versions: list[str], page: str) -> str:
    selector = version_selector(current, versions, page)
    if not selector:
        return text
    if text.startswith(GENERATED_NOTICE):
        head, _, rest = text.partition("\n")
        return f"{head}\n\n{selector}\n{rest}"
    return f"{selector}\n\n{text}"
