"""REFARCH_TRUSTED_PROXIES: none by default, and a mistyped entry stops start-up (uvicorn
would take it as a literal that never matches, and the deployment would silently see the
proxy's address for every client)."""

from __future__ import annotations

from pathlib import Path

import pytest

from refarch.reference_impl.settings import ConfigError, Settings


def test_no_proxy_is_trusted_by_default(tmp_path: Path) -> None:
    assert Settings.from_env({}, data_dir=tmp_path).trusted_proxies == ()


def test_addresses_and_networks_are_read(tmp_path: Path) -> None:
    env = {"REFARCH_TRUSTED_PROXIES": " 10.0.0.5, 10.1.0.0/16 ,::1"}
    settings = Settings.from_env(env, data_dir=tmp_path)
    assert settings.trusted_proxies == ("10.0.0.5", "10.1.0.0/16", "::1")


@pytest.mark.parametrize("entry", ["*", "10.0.0.300", "proxy.internal"])
def test_an_entry_that_is_not_an_address_is_refused(tmp_path: Path, entry: str) -> None:
    with pytest.raises(ConfigError, match=r"REFARCH_TRUSTED_PROXIES: .* is not an IP address"):
        Settings.from_env({"REFARCH_TRUSTED_PROXIES": entry}, data_dir=tmp_path)
