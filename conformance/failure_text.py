"""Turning a failed test's text into report material: what broke, and how to replay it.

Schemathesis reports failures as an exception group whose lines are prefixed with ``|``;
the useful part is its own summary (check, expectation, response, ``curl`` reproduction),
which is kept without the traceback around it.
"""

from __future__ import annotations

import re

__all__ = ["FailureText", "parse_failure"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_GROUP_PREFIX = re.compile(r"^[ \t]*(?:[|+][ \t]?)+", re.MULTILINE)
_CURL = re.compile(r"^\s*(curl .+)$", re.MULTILINE)
_CHECK = re.compile(r"^- (ST\d+ .+)$", re.MULTILINE)
_SUMMARY_START = "Schemathesis found"
_SUMMARY_END = re.compile(r"\(\d+ sub-exceptions?\)")


class FailureText:
    def __init__(self, message: str, excerpt: str, curls: list[str]) -> None:
        self.message = message
        self.excerpt = excerpt
        self.curls = curls


def parse_failure(longrepr: str) -> FailureText:
    text = _ANSI.sub("", longrepr)
    start = text.find(_SUMMARY_START)
    if start < 0:
        last = (text.strip().splitlines() or [""])[-1]
        return FailureText(last[:300], text[-6000:], _CURL.findall(text))
    end = _SUMMARY_END.search(text, start)
    summary = _GROUP_PREFIX.sub("", text[start : end.start() if end else None]).strip()
    checks = _CHECK.findall(summary)
    message = "; ".join(checks) or summary.splitlines()[0]
    return FailureText(message[:500], summary[:6000], list(dict.fromkeys(_CURL.findall(summary))))
