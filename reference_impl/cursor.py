"""Opaque keyset cursors for the v2 list operations: ``(created_at, id)`` of the last item.

A cursor is URL-safe base64 (no padding) of ``<RFC 3339 timestamp>|<uuid>``: opaque to
clients (the spec promises nothing about its content, so it may change), cheap to check.
A value that does not decode is refused with 422 naming the ``cursor`` parameter: the
client must send back what the server issued. Standard library only.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

from refarch.reference_impl.errors import InvalidInput

__all__ = ["InvalidCursor", "decode_cursor", "encode_cursor"]


class InvalidCursor(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "This cursor was not issued by this server; start from the first page (no cursor)"
            " and follow page.next_cursor.",
            [{"field": "cursor", "message": "is not a cursor this server issued"}],
        )


def encode_cursor(created_at: datetime, item_id: UUID) -> str:
    raw = f"{created_at.isoformat()}|{item_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, item_id = raw.partition("|")
        created_at = datetime.fromisoformat(moment)
        if created_at.tzinfo is None:
            raise ValueError("a cursor's timestamp carries its offset")
        return created_at, UUID(item_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
