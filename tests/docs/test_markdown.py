"""The Markdown building blocks render as intended by Python-Markdown (the engine in use)."""

from __future__ import annotations

import datetime

import markdown

from refarch.docsgen.markdown import code, escape_cell, json_block, table


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "fenced_code"])


def test_pipes_stay_inside_their_cell_in_text_and_in_code() -> None:
    html = render(table(["pattern", "note"], [[code("^(a|b)$"), "either a | b"]]))
    assert "<td><code>^(a|b)$</code></td>" in html
    assert "<td>either a | b</td>" in html


def test_cells_are_one_line_and_code_may_contain_backticks() -> None:
    assert escape_cell("two\nlines") == "two lines"
    assert "<code>a`b</code>" in render(code("a`b"))


def test_yaml_timestamps_in_examples_are_written_as_rfc3339() -> None:
    stamp = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert '"created_at": "2026-01-02T03:04:05Z"' in json_block({"created_at": stamp})
