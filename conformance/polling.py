"""Waiting for effects that are eventually consistent: notifications from the outbox, and
analytics reports fed by the event stream."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from refarch.conformance.actors import Actor
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect_status, json_object

__all__ = [
    "ANALYTICS_DEADLINE_SECONDS",
    "NOTIFICATION_DEADLINE_SECONDS",
    "read_report",
    "wait_for_notification",
    "wait_for_report",
]

#: The spec promises notifications within 1 s without load; allow for a loaded CI machine.
NOTIFICATION_DEADLINE_SECONDS = 5.0
#: The spec promises no bound on the analytics consumer's lag; an idle implementation
#: catches up in well under a second, a loaded CI machine in a few.
ANALYTICS_DEADLINE_SECONDS = 20.0


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


def read_report(api: ApiClient, admin: Actor, path: str, params: dict[str, Any]) -> dict[str, Any]:
    """An analytics report, read by an administrator."""
    response = api.get(path, params=params, headers=admin.headers)
    expect_status(response, 200, why="an administrator reads an analytics report")
    return json_object(response)


def wait_for_report(
    api: ApiClient,
    admin: Actor,
    path: str,
    params: dict[str, Any],
    done: Callable[[dict[str, Any]], bool],
) -> dict[str, Any]:
    """The report once ``done`` holds, or as it stands at the deadline."""
    deadline = time.monotonic() + ANALYTICS_DEADLINE_SECONDS
    while True:
        body = read_report(api, admin, path, params)
        if done(body) or time.monotonic() >= deadline:
            return body
        time.sleep(0.2)
