"""Profiles bound every run: defaults per profile, explicit flags only up to the profile's ceiling."""

from __future__ import annotations

import pytest

from refarch.loadtests.errors import CannotRun
from refarch.loadtests.profiles import PROFILES, parse_duration, resolve_run_shape


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("2m", 120), ("1m30s", 90), ("1h", 3600)]
)
def test_durations_use_locusts_syntax(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "fast", "10x", "-5s"])
def test_a_non_duration_is_refused(text: str) -> None:
    with pytest.raises(CannotRun, match="not a duration"):
        parse_duration(text)


def test_a_profile_supplies_the_defaults() -> None:
    shape = resolve_run_shape("baseline")
    assert (shape.users, shape.duration_s) == (
        PROFILES["baseline"].users,
        PROFILES["baseline"].duration_s,
    )


def test_explicit_flags_override_within_the_ceiling() -> None:
    shape = resolve_run_shape("smoke", users=20, duration="30s", spawn_rate=5)
    assert (shape.users, shape.duration_s, shape.spawn_rate) == (20, 30, 5)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"users": PROFILES["smoke"].max_users + 1}, "--users"),
        ({"users": 0}, "--users"),
        ({"duration": f"{PROFILES['smoke'].max_duration_s + 1}s"}, "--duration"),
        ({"spawn_rate": 0}, "--spawn-rate"),
    ],
)
def test_flags_beyond_the_profiles_ceiling_are_refused(
    flags: dict[str, object], message: str
) -> None:
    with pytest.raises(CannotRun, match=message):
        resolve_run_shape("smoke", **flags)  # type: ignore[arg-type]
