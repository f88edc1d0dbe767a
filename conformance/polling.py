"""Waiting for effects that are eventually consistent (notifications from the outbox)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from refarch.conformance.actors import Actor
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect_status, json_object

__all__ = ["NOTIFICATION_DEADLINE_SECONDS", "wait_for_notification"]

#: The spec promises notifications within 1 s without load; allow for a loaded CI machine.
NOTIFICATION_DEADLINE_SECONDS = 5.0


def wait_for_notification(
    api: ApiClient,
    user: Actor,
    kind: str,
    matches: Callable[[dict[str, Any]], bool] = lambda n: True,
) -> dict[str, Any] | None:
    """The first of the user's notifications of ``kind`` that ``matches``, or None in time."""
    deadline = time.monotonic() + NOTIFICATION_DEADLINE_SECONDS
    while True:
        response = api.get(
            "/notifications", params={"type": kind, "limit": 100}, headers=user.headers
        )
        expect_status(response, 200, why="a user lists their own notifications")
        notifications: list[dict[str, Any]] = json_object(response)["items"]
        for notification in notifications:
            if matches(notification):
                return notification
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)
