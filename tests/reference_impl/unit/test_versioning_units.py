"""Pure units of versioning: the successor headers a superseded operation declares, and the
cursors of v2 pages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import pytest

from refarch.reference_impl.cursor import InvalidCursor, decode_cursor, encode_cursor
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse
from refarch.reference_impl.platform.lifecycle import announce_successor
from refarch.reference_impl.platform.validation import SpecError

SUPERSEDED = {
    "deprecated": True,
    "x-deprecated-at": "2026-11-30T00:00:00Z",
    "x-sunset": "2027-06-01T00:00:00Z",
    "x-successor": "/api/v2/orders/{order_id}",
}


async def _ok(request: ApiRequest) -> ApiResponse:
    return ApiResponse(200, {"ok": True})


def _request(**path: str) -> ApiRequest:
    return ApiRequest("getOrder", dict(path), {}, {}, None, None, "rid", "127.0.0.1")


def test_a_superseded_operation_answers_deprecation_sunset_and_its_successor() -> None:
    handler = announce_successor(SUPERSEDED, _ok, where="test")
    response = asyncio.run(handler(_request(order_id="0b9e6f0e")))
    assert response.headers == {
        "Deprecation": "@1795996800",
        "Sunset": "Tue, 01 Jun 2027 00:00:00 GMT",
        "Link": '</api/v2/orders/0b9e6f0e>; rel="successor-version"',
    }


def test_an_operation_without_a_successor_is_left_alone() -> None:
    assert announce_successor({"operationId": "getOrder"}, _ok, where="test") is _ok


@pytest.mark.parametrize(
    "broken",
    [
        {k: v for k, v in SUPERSEDED.items() if k != "x-successor"},
        {**SUPERSEDED, "deprecated": False},
        {**SUPERSEDED, "x-sunset": "1 June 2027"},
        {**SUPERSEDED, "x-sunset": "2027-06-01T00:00:00"},  # no offset
    ],
    ids=["no-successor", "not-deprecated", "not-a-date", "no-offset"],
)
def test_half_a_declaration_stops_start_up(broken: dict[str, object]) -> None:
    with pytest.raises(SpecError):
        announce_successor(broken, _ok, where="test")


def test_a_cursor_round_trips_to_the_same_position() -> None:
    moment = datetime(2026, 11, 24, 12, 0, 0, 123456, tzinfo=UTC)
    item = UUID("0b9e6f0e-4a57-4c1b-8f7e-3d2a1c5b6e70")
    cursor = encode_cursor(moment, item)
    assert cursor.replace("-", "").replace("_", "").isalnum()
    assert decode_cursor(cursor) == (moment, item)


@pytest.mark.parametrize("cursor", ["s", "bm90LWEtY3Vyc29y", "MjAyNi0xMS0yNFQxMjowMDowMHx4"])
def test_a_cursor_the_server_did_not_issue_is_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as refused:
        decode_cursor(cursor)
    assert refused.value.extensions["errors"][0]["field"] == "cursor"
