"""Configuration: safe defaults, strong keys only, clear errors naming the variable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from refarch.reference_impl.settings import ConfigError, Settings


def test_no_configuration_generates_a_private_key_once(tmp_path: Path) -> None:
    first = Settings.from_env({}, data_dir=tmp_path)
    second = Settings.from_env({}, data_dir=tmp_path)
    key_file = tmp_path / "token-signing.key"
    assert len(first.signing_key) >= 32
    assert first.signing_key == second.signing_key, "the generated key must survive restarts"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_configured_strong_key_wins(tmp_path: Path) -> None:
    key = "k" * 48
    settings = Settings.from_env({"REFARCH_TOKEN_SIGNING_KEY": key}, data_dir=tmp_path)
    assert settings.signing_key == key.encode()
    assert not (tmp_path / "token-signing.key").exists()


@pytest.mark.parametrize("weak", ["secret", "changeme", "short-but-not-listed"])
def test_weak_or_short_keys_refuse_to_start(tmp_path: Path, weak: str) -> None:
    with pytest.raises(ConfigError, match="REFARCH_TOKEN_SIGNING_KEY is too weak"):
        Settings.from_env({"REFARCH_TOKEN_SIGNING_KEY": weak}, data_dir=tmp_path)


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    Settings.from_env({}, data_dir=tmp_path)
    (tmp_path / "token-signing.key").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        Settings.from_env({}, data_dir=tmp_path)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"REFARCH_BODY_LIMIT_BYTES": "lots"},
            "REFARCH_BODY_LIMIT_BYTES='lots' is not a whole number",
        ),
        ({"REFARCH_LOGIN_MAX_FAILURES": "0"}, "REFARCH_LOGIN_MAX_FAILURES=0 must be at least 1"),
        ({"REFARCH_VALIDATE_RESPONSES": "maybe"}, "use true or false"),
        (
            {"REFARCH_ADMIN_EMAIL": "a@example.com"},
            "set both REFARCH_ADMIN_EMAIL and REFARCH_ADMIN_PASSWORD",
        ),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env, data_dir=tmp_path)


def test_secrets_stay_out_of_repr(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"REFARCH_ADMIN_EMAIL": "a@example.com", "REFARCH_ADMIN_PASSWORD": "hunter2hunter2"},
        data_dir=tmp_path,
    )
    text = repr(settings)
    assert "hunter2" not in text and settings.signing_key.decode() not in text


def test_an_empty_environment_gives_the_field_defaults(tmp_path: Path) -> None:
    from_env = Settings.from_env({}, data_dir=tmp_path)
    declared = Settings(data_dir=tmp_path, signing_key=from_env.signing_key)
    assert from_env == declared
