"""SMTP_URL and REFARCH_MAIL_FROM: parsed once, refused with a message that says the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from refarch.reference_impl.notifications.delivery import RetryPolicy
from refarch.reference_impl.settings import ConfigError, Settings, SmtpRelay, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", SmtpRelay("127.0.0.1", 2525)),
        ("smtp://mail.example.com", SmtpRelay("mail.example.com", 25)),
        (
            "smtp://app%40shop:s%3Acret@mail.example.com:587?starttls=true",
            SmtpRelay("mail.example.com", 587, "app@shop", "s:cret", start_tls=True),
        ),
        (
            "smtp://mail.example.com?starttls=false",
            SmtpRelay("mail.example.com", 25, start_tls=False),
        ),
        (
            "smtps://u:p@mail.example.com",
            SmtpRelay("mail.example.com", 465, "u", "p", implicit_tls=True),
        ),
        ("smtp://u:p@localhost:1025", SmtpRelay("localhost", 1025, "u", "p")),
    ],
)
def test_smtp_urls_are_understood(url: str, expected: SmtpRelay) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://mail.example.com", "is not an SMTP URL"),
        ("smtp://", "is not an SMTP URL"),
        ("smtp://mail.example.com:99999", "port"),
        ("smtp://mail.example.com?tls=1", "unknown option(s) tls"),
        ("smtp://mail.example.com?starttls=maybe", "starttls must be true or false"),
        ("smtps://mail.example.com?starttls=true", "drop the starttls option"),
        ("smtp://u:p@mail.example.com", "a password needs TLS"),
    ],
)
def test_bad_smtp_urls_are_refused_with_the_fix(url: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match="SMTP_URL") as refused:
        parse_smtp_url(url)
    assert complaint in str(refused.value)


def test_the_password_stays_out_of_logs() -> None:
    relay = parse_smtp_url("smtps://u:hunter2secret@mail.example.com")

    assert "hunter2secret" not in repr(relay) and "hunter2secret" not in relay.url


def test_settings_read_the_relay_and_the_sender(tmp_path: Path) -> None:
    env = {"SMTP_URL": "smtp://127.0.0.1:2525", "REFARCH_MAIL_FROM": "Shop <shop@example.com>"}

    settings = Settings.from_env(env, data_dir=tmp_path)

    assert settings.smtp == SmtpRelay("127.0.0.1", 2525)
    assert settings.mail_from == "Shop <shop@example.com>"
    assert Settings.from_env({}, data_dir=tmp_path).smtp is None


def test_a_sender_without_an_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REFARCH_MAIL_FROM='Shop' is not an email address"):
        Settings.from_env({"REFARCH_MAIL_FROM": "Shop"}, data_dir=tmp_path)


def test_retries_back_off_exponentially_up_to_a_cap() -> None:
    policy = RetryPolicy(first_delay_seconds=60, max_delay_seconds=600, max_attempts=10)

    assert [policy.delay_after(n) for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]
