"""Make Graphviz SVG output from the ``diagrams`` package identical from run to run.

Measured: ``diagrams`` names every node with a random UUID, and Graphviz writes
icons as ``xlink:href`` to absolute site-packages paths. Either makes a committed SVG look
stale on every render, and the paths also break the image on any other machine. Here the
UUIDs become ``n1, n2, …`` in order of first appearance, icons are inlined as data URIs,
and comments (which repeat the UUIDs and name the Graphviz version) are dropped.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

__all__ = ["make_deterministic"]

_RANDOM_ID = re.compile(r"\b[0-9a-f]{32}\b")
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_IMAGE_HREF = re.compile(r'xlink:href="(?P<path>/[^"]+)"')


def _stable_ids(svg: str) -> str:
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"n{len(names) + 1}")

    return _RANDOM_ID.sub(rename, svg)


def _inline_images(svg: str) -> str:
    def inline(match: re.Match[str]) -> str:
        path = Path(match["path"])
        if not path.is_file():
            raise FileNotFoundError(f"diagram icon {path} does not exist")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'xlink:href="data:{mime};base64,{data}"'

    return _IMAGE_HREF.sub(inline, svg)


def make_deterministic(svg: str) -> str:
    """The same picture, with nothing in the text that changes between runs or machines."""
    return _inline_images(_stable_ids(_COMMENT.sub("", svg)))
