"""The load report as one HTML page: the verdict table, then every chart inlined.

Self-contained (styles and SVGs inside the file, no scripts, no external assets), so it can
be attached to a CI run or mailed and still open offline.
"""

from __future__ import annotations

from html import escape

from refarch.loadtests import render
from refarch.loadtests.verdict import Verdict

__all__ = ["render_page"]

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.35rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.fail td { background: #fdecea; } tr.overall td { font-weight: 600; }
.pass { color: #1b7a35; } .fail { color: #b3261e; } .interrupted { color: #8a5a00; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
"""


def _status_class(verdict: Verdict) -> str:
    if verdict.interrupted:
        return "interrupted"
    return "pass" if verdict.passed else "fail"


def render_page(verdict: Verdict, charts: dict[str, str]) -> str:
    """``charts`` maps a name (``overall`` or an operationId) to its SVG text."""
    rows = [*verdict.rows, verdict.overall]
    body = [
        f'<h1 class="{_status_class(verdict)}">{escape(render.headline(verdict))}</h1>',
        "<table>",
        "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in render.HEADERS) + "</tr>",
    ]
    for row in rows:
        classes = " ".join(
            name for name, on in (("fail", row.failed), ("overall", row is verdict.overall)) if on
        )
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in render.cells(row))
        body.append(f'<tr class="{classes}">{cells}</tr>')
    body.append("</table>")
    explained = render.reasons(verdict)
    if explained or verdict.notes:
        body.append("<ul>")
        body += [f"<li>{escape(reason)}</li>" for reason in explained]
        body += [f"<li><em>{escape(note)}</em></li>" for note in verdict.notes]
        body.append("</ul>")
    body.append(
        f"<p>Cells read observed / limit. Thresholds: {escape(verdict.thresholds_source)}.</p>"
    )
    for name, svg in charts.items():
        body.append(f'<h2 id="chart-{escape(name)}">{escape(name)}</h2>')
        # the SVG's own XML declaration and doctype are not allowed inside HTML
        inline = svg[svg.index("<svg") :]
        body.append(f"<figure>{inline}</figure>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(render.headline(verdict))}</title><style>{_STYLE}</style></head>"
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
