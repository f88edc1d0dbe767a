"""Assertions that say what the contract expected, carrying the exchange that broke it.

A failed scenario must tell a developer exactly what is wrong: :class:`ContractViolation`
holds the expected behaviour in words and the response that contradicted it, and the
report renders both with a ``curl`` line to reproduce.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from refarch.conformance.evidence import Exchange

__all__ = [
    "ContractViolation",
    "body_text",
    "expect",
    "expect_problem",
    "expect_status",
    "json_body",
    "json_object",
    "named_fields",
]

PROBLEM_JSON = "application/problem+json"


class ContractViolation(AssertionError):
    def __init__(
        self, expected: str, response: httpx.Response | None = None, actual: str = ""
    ) -> None:
        self.expected = expected
        self.exchange = Exchange.from_response(response) if response is not None else None
        if not actual and response is not None:
            actual = f"HTTP {response.status_code}: {body_text(response)}"
        self.actual = actual
        super().__init__(f"expected: {expected}\nactual:   {actual}")


#: the whole body up to this size: a cut-off body hid which field an errors list missed
_ACTUAL_BODY_LIMIT = 4000


def body_text(response: httpx.Response) -> str:
    text = response.text
    if len(text) <= _ACTUAL_BODY_LIMIT:
        return text
    return f"{text[:_ACTUAL_BODY_LIMIT]}… ({len(text) - _ACTUAL_BODY_LIMIT} more characters)"


def expect(
    condition: bool, expected: str, response: httpx.Response | None = None, actual: str = ""
) -> None:
    if not condition:
        raise ContractViolation(expected, response, actual)


def expect_status(response: httpx.Response, *statuses: int, why: str) -> httpx.Response:
    """Fail unless the status is one of ``statuses``; ``why`` names the rule in plain words."""
    if response.status_code not in statuses:
        wanted = " or ".join(str(status) for status in statuses)
        raise ContractViolation(f"{wanted}: {why}", response)
    return response


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ContractViolation("a JSON body", response) from None


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body, which the contract promises to be a JSON object."""
    body = json_body(response)
    if not isinstance(body, dict):
        raise ContractViolation("a JSON object body", response)
    return body


def expect_problem(response: httpx.Response, status: int, *, why: str) -> dict[str, Any]:
    """The status and an RFC 9457 body whose ``status`` member repeats it."""
    expect_status(response, status, why=why)
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    expect(
        media_type == PROBLEM_JSON,
        f"an {PROBLEM_JSON} body for every error ({why})",
        response,
        f"Content-Type: {media_type or '(none)'}",
    )
    body = json_object(response)
    expect(
        body.get("status") == status and bool(body.get("title")),
        f"a problem document with status {status} and a title",
        response,
    )
    return body


_LOCATION = re.compile(r"^(body|query|path|header|headers)\.")
_INDEX = re.compile(r"\[(\d+)\]")


def _pointer_to_dotted(pointer: str) -> str:
    parts = pointer.split("/")[1:]
    return ".".join(part.replace("~1", "/").replace("~0", "~") for part in parts)


def named_fields(problem: dict[str, Any]) -> set[str]:
    """The fields a 422 problem's ``errors`` name, as dotted paths (``items.0.quantity``).

    The spec writes ``field`` as a JSON Pointer into the location given by ``in``
    (``/items/0/quantity``); the scenario tests only need to know which field is named,
    so older dotted forms (``body.items[0].quantity``) are normalised too. Whether the
    format itself is right is checked once, by the API-014 scenario.
    """
    names = set()
    for error in problem.get("errors") or []:
        field = str(error.get("field", ""))
        if field.startswith("/"):
            names.add(_pointer_to_dotted(field))
            continue
        field = _INDEX.sub(r".\1", field)
        names.add(_LOCATION.sub("", field))
    return names
