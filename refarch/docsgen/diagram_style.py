"""The look every diagrams-as-code script shares: C4 boxes sized to be read, and a key.

``diagrams.c4`` wraps a box's text at 40 characters in 9-10 pt type; shown in a 630 px
column its labels came out 4-6 px high. These boxes use 11-14 pt type wrapped at 24
characters, and each script lays its boxes out top to bottom so the picture stays narrow;
``tests/docs/test_every_page.py`` checks in a browser that the smallest label is still
readable where the page shows it.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

# mypy run from the checkout sees the diagrams/ scripts folder as a namespace package
from diagrams import Cluster, Node  # type: ignore[attr-defined]

__all__ = ["GRAPH", "boundary", "box", "key"]

GRAPH = {
    "fontname": "Sans-Serif",
    "fontsize": "18",
    "pad": "0.3",
    "splines": "spline",
    "nodesep": "0.35",
    "ranksep": "0.55",
}

#: (fill colour, text colour) per kind of element, as in the C4 model's usual notation.
COLOURS = {
    "Person": ("#08427b", "white"),
    "System": ("#1168bd", "white"),
    "Container": ("#438dd5", "white"),
    "Component": ("#85bbf0", "black"),
    "Database": ("#438dd5", "white"),
    "External": ("#8c8c8c", "white"),
    "Planned": ("#ffffff", "#555555"),
}

WRAP = 24


def _label(name: str, kind: str, description: str) -> str:
    lines = [html.escape(line) for line in textwrap.wrap(description, WRAP)]
    text = "<br/>".join(lines)
    return (
        f'<<font point-size="14"><b>{html.escape(name)}</b></font><br/>'
        f'<font point-size="11">[{html.escape(kind)}]</font>'
        + (f'<br/><font point-size="12">{text}</font>' if text else "")
        + ">"
    )


def box(name: str, kind: str, description: str = "", *, colour: str = "", **attrs: Any) -> Node:
    """A C4 element: ``kind`` is shown in brackets ("Container: Python module")."""
    style = colour or kind.split(":")[0].split()[0]
    fill, font = COLOURS.get(style, COLOURS["Container"])
    shape = "cylinder" if style == "Database" else "box"
    node_attrs = {
        "label": _label(name, kind, description),
        "shape": shape,
        "style": "filled,rounded,dashed" if style == "Planned" else "filled,rounded",
        "fillcolor": fill,
        "fontcolor": font,
        "color": "#333333" if style == "Planned" else fill,
        "margin": "0.15,0.08",
        "width": "2.3",
        "fixedsize": "false",
        "labelloc": "c",
    }
    node_attrs.update(attrs)
    return Node(**node_attrs)


def boundary(label: str) -> Cluster:
    return Cluster(
        label,
        graph_attr={
            "style": "dashed",
            "bgcolor": "transparent",
            "pencolor": "#666666",
            "fontsize": "14",
            "labeljust": "l",
        },
    )


def key(rows: list[tuple[str, str]], **attrs: Any) -> Node:
    """A key drawn in the picture: (sample, meaning) rows; a sample names a colour kind or
    a line style ("solid", "dashed", "dotted")."""
    cells = []
    for sample, meaning in rows:
        if sample in COLOURS:
            fill, font = COLOURS[sample]
            left = f'<td bgcolor="{fill}" border="1"><font color="{font}" point-size="13">{sample}</font></td>'
        else:
            glyph = {"solid": "———", "dashed": "- - - -", "dotted": "· · · ·"}.get(sample, sample)
            left = f'<td><font point-size="13">{glyph}</font></td>'
        cells.append(
            f'<tr>{left}<td align="left"><font point-size="13">{html.escape(meaning)}</font></td></tr>'
        )
    label = (
        '<<table border="0" cellborder="0" cellspacing="2" cellpadding="3">'
        '<tr><td colspan="2" align="left"><b>Key</b></td></tr>' + "".join(cells) + "</table>>"
    )
    node_attrs = {
        "label": label,
        "shape": "box",
        "style": "rounded",
        "color": "#999999",
        "fixedsize": "false",
        "labelloc": "c",
        "width": "0",
        "height": "0",
    }
    node_attrs.update(attrs)
    return Node(**node_attrs)
