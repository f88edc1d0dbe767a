"""Load profiles: named, bounded run shapes.

Every run is bounded in users and duration so that a typo in a CI file cannot turn a gate
into an accidental denial-of-service on a shared environment. Explicit ``--users`` or
``--duration`` may raise a profile's defaults up to its ceiling, never past it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from refarch.loadtests.errors import CannotRun

__all__ = ["PROFILES", "Profile", "RunShape", "parse_duration", "resolve_run_shape"]


@dataclass(frozen=True)
class Profile:
    name: str
    users: int
    spawn_rate: float
    duration_s: int
    max_users: int
    max_duration_s: int
    purpose: str


@dataclass(frozen=True)
class RunShape:
    """What Locust is asked to do; recorded in baselines so shapes can be compared."""

    profile: str
    users: int
    spawn_rate: float
    duration_s: int


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("smoke", 10, 10, 15, 50, 60, "a quick gate on every pull request"),
        Profile(
            "baseline", 50, 10, 60, 100, 300, "the run a baseline is saved from and compared to"
        ),
        Profile("stress", 200, 20, 120, 500, 600, "find where latency bends"),
        Profile("soak", 50, 5, 600, 100, 3600, "leaks and drift over time"),
    )
}

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


def parse_duration(text: str) -> int:
    """Seconds in ``"90"``, ``"90s"``, ``"2m"``, ``"1m30s"`` or ``"1h"`` (Locust's own syntax)."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise CannotRun(f"--duration {text!r} is not a duration; write e.g. 30s, 2m or 1m30s.")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def resolve_run_shape(
    profile_name: str,
    *,
    users: int | None = None,
    spawn_rate: float | None = None,
    duration: str | None = None,
) -> RunShape:
    profile = PROFILES[profile_name]
    shape = RunShape(
        profile=profile.name,
        users=profile.users if users is None else users,
        spawn_rate=profile.spawn_rate if spawn_rate is None else spawn_rate,
        duration_s=profile.duration_s if duration is None else parse_duration(duration),
    )
    if not 1 <= shape.users <= profile.max_users:
        raise CannotRun(
            f"--users {shape.users} is outside the {profile.name} profile's range 1..{profile.max_users}; "
            "pick a bigger profile (smoke < baseline < stress) if you really need more users."
        )
    if not 1 <= shape.duration_s <= profile.max_duration_s:
        raise CannotRun(
            f"--duration of {shape.duration_s} s is outside the {profile.name} profile's range "
            f"1..{profile.max_duration_s} s; use the soak profile for long runs."
        )
    if shape.spawn_rate <= 0:
        raise CannotRun(f"--spawn-rate must be positive, got {shape.spawn_rate}.")
    return shape
