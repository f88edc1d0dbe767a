"""The event settings: the broker URL, the subject prefix, the redelivery time."""

from __future__ import annotations

from pathlib import Path

import pytest

from refarch.reference_impl.settings import ConfigError, Settings


def test_without_configuration_there_is_no_broker_url_and_the_default_prefix(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path)

    assert settings.nats_url is None  # serve then starts the embedded server
    assert settings.event_subject_prefix == "refarch"
    assert settings.event_ack_wait_seconds == 30


def test_configured_values_are_taken(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "NATS_URL": "nats://nats.internal:4222",
            "REFARCH_EVENT_SUBJECT_PREFIX": "shop.prod",
            "REFARCH_EVENT_ACK_WAIT_SECONDS": "5",
        },
        data_dir=tmp_path,
    )

    assert settings.nats_url == "nats://nats.internal:4222"
    assert settings.event_subject_prefix == "shop.prod"
    assert settings.event_ack_wait_seconds == 5


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NATS_URL", "http://localhost:4222", "is not a NATS URL; use e.g. nats://"),
        ("REFARCH_EVENT_SUBJECT_PREFIX", "shop.*", "is not a subject prefix"),
        ("REFARCH_EVENT_SUBJECT_PREFIX", "shop..prod", "is not a subject prefix"),
        ("REFARCH_EVENT_ACK_WAIT_SECONDS", "0", "must be at least 1"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        Settings.from_env({name: value}, data_dir=tmp_path)

    assert name in str(refused.value)
